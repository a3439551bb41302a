"""The coordinators' daily SMS of the premiums not fully paid: for each cooperative with an
approved premium whose miners are still waiting, each of its coordinators gets one SMS in
her language, the longest-waiting premium first ("Premium P-12: 40 of 52 miners paid,
1 200 $ of 1 500 $. 3 failed, 1 unknown."), as many as one segment holds, then how many more.

Run hourly by the worker; written at the first run after ``REPORT_HOUR`` local time, and
once a day only: the cause names the cooperative and the local day, and the outbox's unique
(cause, member, kind) makes a second run, or a second worker, write nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from ledger.models import utcnow
from ledger.premiums.defaults import REPORT_HOUR
from ledger.premiums.report import PremiumReport, cooperatives_waiting, report, waiting_count
from locales import Translator, _
from locales.gsm7 import SINGLE_SEGMENT_SEPTETS, septets, to_gsm7
from sms.alerts import alert_rows, coordinators
from sms.reminders import _insert_ignoring_duplicates as insert_new
from sms.settings import Settings

log = logging.getLogger(__name__)

#: Premiums read for one SMS: more never fit one segment (the rest are counted).
SHOWN = 5

# TRANSLATORS: the coordinators' daily SMS, one line per premium not fully paid. {number}
# names the premium ("P-12"); {paid} of {miners} miners got their money; {amount} of {due}
# is the money paid of what is owed now ("1 200 $ of 1 500 $"); {failed} payouts failed,
# {unknown} are waiting for the mobile-money company's answer. One SMS: be short.
PREMIUM_LINE = _(
    "Premium {number}: {paid} of {miners} miners paid, {amount} of {due}. {failed} failed, "
    "{unknown} unknown."
)


def _line(t: Translator, row: PremiumReport) -> str:
    return t.gettext(
        PREMIUM_LINE,
        number=row.number,
        paid=t.number(row.miners_paid),
        miners=t.number(row.miners),
        amount=t.money(row.paid, row.currency),
        due=t.money(row.due, row.currency),
        failed=t.number(row.payouts["failed"]),
        unknown=t.number(row.payouts["unknown"]),
    )


def render(t: Translator, rows: list[PremiumReport], total: int | None = None) -> str:
    """As many of ``rows`` as one GSM-7 segment holds, then "+N more premiums not fully
    paid" (of ``total`` in all, when more were not read)."""
    total = max(total or 0, len(rows))

    def text(keep: int) -> str:
        more = total - keep
        # TRANSLATORS: after the lines of the daily premiums SMS, when not all fit.
        tail = t.ngettext(
            "+{n} more premium not fully paid.", "+{n} more premiums not fully paid.", more
        )
        return to_gsm7(" ".join([_line(t, row) for row in rows[:keep]] + ([tail] if more else [])))

    for keep in range(len(rows), 0, -1):
        body = text(keep)
        if septets(body) <= SINGLE_SEGMENT_SEPTETS:
            return body
    return to_gsm7(_line(t, rows[0]))


def write(
    session: Session, settings: Settings, cooperative_ids: Iterable[int], day: dt.date
) -> int:
    """The day's SMS to the coordinators of these cooperatives (those with a premium not
    fully paid; the others are skipped). Returns how many rows were new. Commits."""
    written = 0
    for cooperative_id in cooperative_ids:
        rows = report(
            session, cooperative_id=cooperative_id, unpaid_only=True, oldest_first=True, limit=SHOWN
        )
        people = coordinators(session, cooperative_id)
        if not rows or not people:
            continue
        cause = f"premium_report:{cooperative_id}:{day:%Y%m%d}"
        total = waiting_count(session, cooperative_id)
        written += insert_new(
            session, alert_rows(people, settings, cause, lambda t, r=rows, n=total: render(t, r, n))
        )
    session.commit()
    if written:
        log.info("premium reports: %d new", written)
    return written


def write_due(session: Session, settings: Settings, now: dt.datetime | None = None) -> int:
    """The hourly scan: from ``REPORT_HOUR`` local time on, the day's SMS for every
    cooperative with a premium not fully paid (once a day: see the module)."""
    local = (now or utcnow()).replace(tzinfo=dt.UTC).astimezone(ZoneInfo(settings.tz))
    if local.hour < REPORT_HOUR:
        return 0
    return write(session, settings, cooperatives_waiting(session), local.date())
