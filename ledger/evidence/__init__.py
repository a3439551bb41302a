"""Evidence: the gold's chain of custody, "spot the liar" flags, and indicators.

``configure(config)``, which ``create_app`` calls, installs the thresholds and time zone of
the configuration (``settings.OPTIONS``) and subscribes the flags to every purchase the books
record. Importing the package does neither.
"""

from __future__ import annotations

from collections.abc import Mapping

from ledger import events
from ledger.evidence import flags, settings


def configure(config: Mapping) -> None:
    """Settings from ``config``, and the purchase hook (idempotent)."""
    settings.configure(settings.from_config(config))
    events.subscribe(events.PURCHASE_RECORDED, flags.on_purchase_recorded)


__all__ = ["configure"]
