"""The books: members, savings groups, the double-entry journal and gold purchases.

Depends on nothing else in the project, Flask included: ``api``, ``ussd`` and ``sms`` read
and write through it, and ``wsgi.py`` wires it to the app.
"""

from ledger.errors import LedgerError

__all__ = ["LedgerError"]
