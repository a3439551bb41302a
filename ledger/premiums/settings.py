"""The minimum payouts in force: defaults, overridden by the app config (an environment
variable of the same name each), installed by ``ledger.premiums.configure``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from ledger.money import to_minor
from ledger.premiums import defaults

#: The optional configuration keys and their defaults.
OPTIONS = {name: getattr(defaults, name) for name in dir(defaults) if name.startswith("PREMIUM_")}


@dataclass(frozen=True)
class Settings:
    #: Smallest payout per currency, minor units.
    min_payout: dict[str, int] = field(
        default_factory=lambda: {
            "USD": to_minor(defaults.PREMIUM_MIN_PAYOUT_USD, "USD"),
            "CDF": to_minor(defaults.PREMIUM_MIN_PAYOUT_CDF, "CDF"),
        }
    )


_current = Settings()


def from_config(config: Mapping) -> Settings:
    minimum = dict(Settings().min_payout)
    for currency in ("USD", "CDF"):
        value = config.get(f"PREMIUM_MIN_PAYOUT_{currency}")
        if value is not None and value != "":
            minimum[currency] = to_minor(str(value), currency, f"PREMIUM_MIN_PAYOUT_{currency}")
    return Settings(min_payout=minimum)


def configure(settings: Settings) -> None:
    global _current
    _current = settings


def current() -> Settings:
    return _current
