"""What happened in the books, for whoever needs to act on it in the same transaction.

The books depend on nothing else; the SMS layer subscribes here (for example to write a
receipt into the outbox in the same transaction as the purchase).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from sqlalchemy.orm import Session

PURCHASE_RECORDED = "purchase_recorded"
PRICE_POSTED = "price_posted"
#: An enrolment code for a member alone on their phone: the SMS layer texts it to them.
ENROLMENT_CODE_ISSUED = "enrolment_code_issued"
#: A savings group's meeting closed: each member present gets her SMS.
MEETING_CLOSED = "meeting_closed"
#: A member left her group mid-cycle (subject: ``ledger.shareout.Payout``): her SMS.
MEMBER_LEFT = "member_left"
#: A cycle shared out (subject: ``ledger.shareout.ShareOut``): each member's SMS.
SHARED_OUT = "shared_out"
#: A premium approved into the books (``ledger.premiums.approve.Approved``, with the cash
#: codes): the SMS layer texts every miner of it.
PREMIUM_APPROVED = "premium_approved"
#: A cash payout's new code (``ledger.payouts.NewCode``): texted to the miner only.
CASH_CODE_ISSUED = "cash_code_issued"
#: Someone reported an incident (``ledger.incidents.Reported``): the SMS layer acknowledges.
INCIDENT_REPORTED = "incident_reported"

Handler = Callable[[Session, object], None]
_handlers: dict[str, list[Handler]] = defaultdict(list)


def subscribe(name: str, handler: Handler) -> None:
    if handler not in _handlers[name]:
        _handlers[name].append(handler)


def emit(name: str, session: Session, subject: object) -> None:
    for handler in _handlers[name]:
        handler(session, subject)
