"""Approving a premium: the plan goes into the books and each miner's part becomes owed.

- **Who.** A coordinator of the cooperative. When the cooperative has two coordinators or
  more, the one who created the plan may not approve it alone: another must.
- **The books.** One entry: the premium received (a cooperative asset) on one side; on the
  other, each miner's premium payable (what the cooperative owes her) and the community
  share payable to the named group or the cooperative's community account.
- **Carry-over.** A miner's share, with what her earlier premiums carried to it, is paid
  when it reaches the minimum payout (``PREMIUM_MIN_PAYOUT_USD``, 0.50 USD;
  ``PREMIUM_MIN_PAYOUT_CDF``); below it the line is ``carried`` and waits for her next
  premium of the cooperative in that currency, which absorbs it. It stays owed in the books
  (her premium payable) all along: nothing is lost to rounding or to the minimum.

One approval per cooperative at a time (the cooperative's row is locked), so two premiums
approved at once never absorb the same carried line twice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from ledger import events, journal, payouts
from ledger.authors import Author
from ledger.errors import LedgerError
from ledger.models import (
    AccountKind,
    Cooperative,
    EntryKind,
    LineState,
    Member,
    MemberStatus,
    Premium,
    PremiumLine,
    PremiumStatus,
    utcnow,
)
from ledger.premiums import settings


@dataclass
class Approved:
    premium: Premium
    #: Line id -> the one-time cash code of its payout (cash premiums), never stored in clear.
    codes: dict[int, str] = field(default_factory=dict)


def coordinator_count(session: Session, cooperative_id: int) -> int:
    """Active members holding the coordinator role in the cooperative."""
    roles = session.scalars(
        select(Member.roles).where(
            Member.cooperative_id == cooperative_id,
            Member.status == MemberStatus.ACTIVE,
            Member.roles.like("%coordinator%"),
        )
    ).all()
    return sum(1 for r in roles if "coordinator" in r.split(","))


def lock_cooperative(session: Session, cooperative_id: int) -> None:
    session.flush()
    session.execute(
        select(Cooperative.id)
        .where(Cooperative.id == cooperative_id)
        .with_for_update(key_share=True)
    )


def check_approver(session: Session, premium: Premium, approver: Author | None) -> None:
    if coordinator_count(session, premium.cooperative_id) < 2:
        return
    if approver is None or approver.tag == premium.recorded_by:
        raise LedgerError(
            "second_approver",
            "the cooperative has two coordinators: another one must approve this premium",
            "approver",
        )


def approve(
    session: Session, premium: Premium, *, approver: Author | None, on: dt.date
) -> Approved:
    lock_cooperative(session, premium.cooperative_id)
    session.refresh(premium)
    if premium.status != PremiumStatus.PLANNED:
        raise LedgerError("already_approved", "this premium is already approved", "premium")
    check_approver(session, premium, approver)
    lines = list(
        session.scalars(
            select(PremiumLine)
            .where(PremiumLine.premium_id == premium.id)
            .order_by(PremiumLine.member_id)
            .execution_options(populate_existing=True)
        )
    )
    minimum = settings.current().min_payout[premium.currency]
    _absorb_carried(session, premium, lines)
    coop = premium.cooperative_id
    cur = premium.currency
    entry_lines = [
        (
            journal.account(session, AccountKind.PREMIUM_RECEIVED, cur, cooperative_id=coop),
            premium.amount,
        )
    ]
    for line in lines:
        entry_lines.append(
            (
                journal.account(
                    session, AccountKind.PREMIUM_PAYABLE, cur, member_id=line.member_id
                ),
                -line.share,
            )
        )
    if premium.community_amount:
        owner = (
            {"group_id": premium.community_group_id}
            if premium.community_group_id
            else {"cooperative_id": coop}
        )
        entry_lines.append(
            (
                journal.account(session, AccountKind.COMMUNITY_PAYABLE, cur, **owner),
                -premium.community_amount,
            )
        )
    entry = journal.post(
        session,
        EntryKind.PREMIUM,
        cur,
        entry_lines,
        occurred_on=on,
        cooperative_id=coop,
        memo=f"premium {premium.id}",
    )
    approved = Approved(premium)
    for line in lines:
        if line.due >= minimum and line.due > 0:
            line.state = LineState.PAYABLE
            _, code = payouts.create(
                session,
                member=line.member,
                cooperative_id=coop,
                amount=line.due,
                currency=cur,
                method=premium.method,
                cause=f"premium_line:{line.id}",
            )
            if code:
                approved.codes[line.id] = code
        else:
            line.state = LineState.CARRIED
    premium.status = PremiumStatus.APPROVED
    premium.approved_at = utcnow()
    premium.approved_by = approver.tag if approver else None
    premium.entry_id = entry.id
    session.flush()
    events.emit(events.PREMIUM_APPROVED, session, approved)
    return approved


def _absorb_carried(session: Session, premium: Premium, lines: list[PremiumLine]) -> None:
    """Each miner's carried lines (same cooperative and currency) go into her new line."""
    by_member = {line.member_id: line for line in lines}
    if not by_member:
        return
    carried = session.execute(
        select(PremiumLine.id, PremiumLine.member_id, PremiumLine.share + PremiumLine.carried_in)
        .join(Premium, Premium.id == PremiumLine.premium_id)
        .where(
            PremiumLine.member_id.in_(list(by_member)),
            PremiumLine.state == LineState.CARRIED,
            Premium.cooperative_id == premium.cooperative_id,
            Premium.currency == premium.currency,
            Premium.id != premium.id,
        )
        .order_by(PremiumLine.id)
    ).all()
    for line_id, member_id, due in carried:
        line = by_member[member_id]
        line.carried_in += due
        session.execute(
            update(PremiumLine)
            .where(PremiumLine.id == line_id, PremiumLine.state == LineState.CARRIED)
            .values(state=LineState.ABSORBED, carried_into_id=line.id)
        )


def carried_total(session: Session, member_id: int, currency: str) -> int:
    """What the member's carried lines add up to (waiting for her next premium)."""
    return session.scalar(
        select(func.coalesce(func.sum(PremiumLine.share + PremiumLine.carried_in), 0))
        .join(Premium, Premium.id == PremiumLine.premium_id)
        .where(
            PremiumLine.member_id == member_id,
            PremiumLine.state == LineState.CARRIED,
            Premium.currency == currency,
        )
    )
