"""Days from outside (a request, a command line): read strictly and kept within the books'
range where they come in, so no date sum downstream can overflow or lie."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from ledger.defaults import FIRST_DAY, LAST_DAY, TIME_ZONE
from ledger.errors import LedgerError

#: ``YYYY-MM-DD`` in ASCII digits only: no week dates (``2025-W02-1``), no signs, no times.
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def parse_day(value: object, field: str) -> dt.date:
    """A day written ``YYYY-MM-DD``, within ``FIRST_DAY``..``LAST_DAY``."""
    day = None
    if isinstance(value, str) and _DAY.fullmatch(value):
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            day = None
    if day is None:
        raise LedgerError("bad_date", f"{field} is a date such as 2025-01-06", field)
    return check_day(day, field)


def check_day(day: dt.date, field: str) -> dt.date:
    """``day`` itself, if the books accept it."""
    if not isinstance(day, dt.date) or isinstance(day, dt.datetime):
        raise LedgerError("bad_date", f"{field} must be a date", field)
    if not FIRST_DAY <= day <= LAST_DAY:
        raise LedgerError(
            "out_of_range",
            f"{field} is out of range ({FIRST_DAY.isoformat()} to {LAST_DAY.isoformat()})",
            field,
        )
    return day


def local_today(tz: str) -> dt.date:
    """Today in the deployment's time zone (``SANDUKU_TZ``): meetings, loans and reports
    count local days, whatever the server's own clock zone."""
    return dt.datetime.now(ZoneInfo(tz)).date()


#: The deployment's zone for the books' own "what day is it here" (``SANDUKU_TZ``), set with
#: the evidence settings when the app is configured.
_zone = {"tz": TIME_ZONE}


def set_zone(tz: str) -> None:
    ZoneInfo(tz)  # an unknown zone fails here, at configuration
    _zone["tz"] = tz


def local_day_of(utc: dt.datetime) -> dt.date:
    """The deployment's local day of a naive UTC time."""
    return utc.replace(tzinfo=dt.UTC).astimezone(ZoneInfo(_zone["tz"])).date()
