"""Evidence: the gold's chain of custody, "spot the liar" flags, and indicators.

Importing the package subscribes the flags to every purchase the books record.
"""

from ledger import events
from ledger.evidence.flags import on_purchase_recorded

events.subscribe(events.PURCHASE_RECORDED, on_purchase_recorded)

__all__ = ["on_purchase_recorded"]
