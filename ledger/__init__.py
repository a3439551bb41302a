"""The books: members, savings groups, the double-entry journal and gold purchases.

Depends on nothing else in the project; ``ussd`` and ``sms`` read and write through it.
"""

from ledger.errors import LedgerError

__all__ = ["LedgerError"]
