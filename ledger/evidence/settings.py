"""The thresholds and time zone in force: defaults, overridden by the app config (which reads
the environment variables of ``OPTIONS``), installed by ``ledger.evidence.configure``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from decimal import Decimal
from zoneinfo import ZoneInfo

from ledger import days
from ledger.defaults import TIME_ZONE
from ledger.evidence import defaults


@dataclass(frozen=True)
class Settings:
    capacity_window_days: int = defaults.CAPACITY_WINDOW_DAYS
    capacity_tolerance: Decimal = defaults.CAPACITY_TOLERANCE
    outlier_multiple: Decimal = defaults.OUTLIER_MULTIPLE
    outlier_min_miners: int = defaults.OUTLIER_MIN_MINERS
    price_multiple: Decimal = defaults.PRICE_MULTIPLE
    price_max_age_days: int = defaults.PRICE_MAX_AGE_DAYS
    underpayment_tolerance: Decimal = defaults.UNDERPAYMENT_TOLERANCE
    #: Days (one miner, several sites) and months are local to the deployment.
    tz: str = TIME_ZONE

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.tz)

    def local_day(self, utc: dt.datetime) -> dt.date:
        return utc.replace(tzinfo=dt.UTC).astimezone(self.zone).date()

    def day_start(self, day: dt.date) -> dt.datetime:
        """Local midnight of ``day`` as naive UTC (how times are stored)."""
        local = dt.datetime.combine(day, dt.time(), tzinfo=self.zone)
        return local.astimezone(dt.UTC).replace(tzinfo=None)

    def today(self) -> dt.date:
        return dt.datetime.now(self.zone).date()


@dataclass(frozen=True)
class Period:
    """Local days ``since``..``until`` of a report, about one cooperative (None: all)."""

    s: Settings
    since: dt.date
    until: dt.date
    cooperative_id: int | None = None

    @property
    def start(self) -> dt.datetime:
        """Local midnight starting ``since``, naive UTC."""
        return self.s.day_start(self.since)

    @property
    def end(self) -> dt.datetime:
        """Local midnight ending ``until``, naive UTC."""
        return self.s.day_start(self.until + dt.timedelta(days=1))


#: App config key -> setting. Values may be strings (environment) or numbers.
CONFIG_KEYS = {
    "EVIDENCE_CAPACITY_TOLERANCE": "capacity_tolerance",
    "EVIDENCE_OUTLIER_MULTIPLE": "outlier_multiple",
    "EVIDENCE_OUTLIER_MIN_MINERS": "outlier_min_miners",
    "EVIDENCE_PRICE_MULTIPLE": "price_multiple",
    "EVIDENCE_PRICE_MAX_AGE_DAYS": "price_max_age_days",
    "EVIDENCE_UNDERPAYMENT_TOLERANCE": "underpayment_tolerance",
    "SANDUKU_TZ": "tz",
}

#: The optional configuration keys (an environment variable of the same name each) and their
#: defaults; ``SANDUKU_TZ`` is the contract's.
OPTIONS = {
    key: getattr(Settings, name) for key, name in CONFIG_KEYS.items() if key.startswith("EVIDENCE_")
}

_current = Settings()


def from_config(config: Mapping) -> Settings:
    types = {f.name: f.type for f in fields(Settings)}
    changes = {}
    for key, name in CONFIG_KEYS.items():
        value = config.get(key)
        if value is None or value == "":
            continue
        kind = types[name]
        if kind in ("Decimal", Decimal):
            changes[name] = Decimal(str(value))
        elif kind in ("int", int):
            changes[name] = int(value)
        else:
            changes[name] = str(value)
    return replace(Settings(), **changes)


def configure(settings: Settings) -> None:
    global _current
    _current = settings
    days.set_zone(settings.tz)


def current() -> Settings:
    return _current
