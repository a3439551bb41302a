"""Each approved premium's paid against approved: what its miners are owed now, what has
reached them, and its payouts counted by state. Read by ``GET /api/v1/premiums/report``
and by the coordinators' daily SMS of the premiums not fully paid (``sms.alerts``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from ledger.models import LineState, Payout, PayoutState, Premium, PremiumStatus

#: Lines still owed now (``payable``) or settled (``paid``); carried ones wait for a later
#: premium and are counted apart.
TO_PAY = (LineState.PAYABLE, LineState.PAID)


@dataclass
class PremiumReport:
    premium_id: int
    cooperative_id: int
    cooperative: str
    currency: str
    approved_at: dt.datetime | None
    #: The whole premium, and the miners' part of it (minor units).
    amount: int
    miners_total: int
    #: Miners to be paid now (payable or paid lines) and what they are owed with carry-ins.
    miners: int = 0
    due: int = 0
    #: Miners whose payout was paid, and how much reached them.
    miners_paid: int = 0
    paid: int = 0
    #: Miners whose share is below the minimum, kept for their next premium.
    miners_carried: int = 0
    carried: int = 0
    #: Payouts by state (every state present, 0 when none).
    payouts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(PayoutState, 0))

    @property
    def fully_paid(self) -> bool:
        return self.miners_paid == self.miners

    @property
    def number(self) -> str:
        """How coordinators name it on a phone: ``P-12``."""
        return f"P-{self.premium_id}"


def report(
    session: Session,
    *,
    cooperative_id: int | None = None,
    unpaid_only: bool = False,
    oldest_first: bool = False,
    limit: int = 50,
    before_id: int | None = None,
) -> list[PremiumReport]:
    """Approved premiums, newest first (or the longest waiting first): paid against
    approved, payouts by state. ``unpaid_only``: those with a miner still waiting."""
    query = (
        select(Premium)
        .where(Premium.status == PremiumStatus.APPROVED)
        .options(selectinload(Premium.lines), selectinload(Premium.cooperative))
    )
    if cooperative_id is not None:
        query = query.where(Premium.cooperative_id == cooperative_id)
    if before_id is not None:
        query = query.where(Premium.id < before_id)
    if unpaid_only:  # a line still payable: someone still waits for her money
        query = query.where(Premium.lines.any(state=LineState.PAYABLE))
    query = query.order_by(Premium.id if oldest_first else Premium.id.desc())
    premiums = list(session.scalars(query.limit(limit)))
    causes = {f"premium_line:{line.id}": line for p in premiums for line in p.lines}
    payouts = (
        session.scalars(select(Payout).where(Payout.cause.in_(list(causes)))).all()
        if causes
        else []
    )
    by_line = {causes[p.cause].id: p for p in payouts}
    return [_one(premium, by_line) for premium in premiums]


def _one(premium: Premium, by_line: dict[int, Payout]) -> PremiumReport:
    row = PremiumReport(
        premium_id=premium.id,
        cooperative_id=premium.cooperative_id,
        cooperative=premium.cooperative.code,
        currency=premium.currency,
        approved_at=premium.approved_at,
        amount=premium.amount,
        miners_total=sum(line.share for line in premium.lines),
    )
    for line in premium.lines:
        if line.state == LineState.CARRIED:
            row.miners_carried += 1
            row.carried += line.due
        elif line.state in TO_PAY:
            row.miners += 1
            row.due += line.due
        payout = by_line.get(line.id)
        if payout is None:
            continue
        row.payouts[payout.state] += 1
        if payout.state == PayoutState.PAID:
            row.miners_paid += 1
            row.paid += payout.amount
    return row


def cooperatives_waiting(session: Session) -> list[int]:
    """The ids of the cooperatives with a premium not fully paid."""
    return list(
        session.scalars(
            select(Premium.cooperative_id)
            .where(
                Premium.status == PremiumStatus.APPROVED,
                Premium.lines.any(state=LineState.PAYABLE),
            )
            .distinct()
            .order_by(Premium.cooperative_id)
        )
    )


def waiting_count(session: Session, cooperative_id: int) -> int:
    """How many of the cooperative's premiums are not fully paid."""
    return session.scalar(
        select(func.count(Premium.id)).where(
            Premium.cooperative_id == cooperative_id,
            Premium.status == PremiumStatus.APPROVED,
            Premium.lines.any(state=LineState.PAYABLE),
        )
    )
