"""What a miner reads of her premiums (the phone's "My sales")."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.models import LineState, Member, Premium, PremiumLine


@dataclass(frozen=True)
class Received:
    approved_at: dt.datetime
    amount: int  # her share of that premium (what earlier ones carried to it is theirs)
    currency: str
    #: ``paid``, ``to_collect`` (payable, not paid yet) or ``carried`` (below the minimum,
    #: waiting for her next premium).
    status: str


def received(session: Session, member: Member, limit: int = 20) -> list[Received]:
    """Her shares of approved premiums, newest first."""
    rows = session.execute(
        select(Premium.approved_at, PremiumLine.share, Premium.currency, PremiumLine.state)
        .join(Premium, Premium.id == PremiumLine.premium_id)
        .where(
            PremiumLine.member_id == member.id,
            PremiumLine.state != LineState.PLANNED,
            PremiumLine.share > 0,
        )
        .order_by(Premium.approved_at.desc(), Premium.id.desc())
        .limit(limit)
    ).all()
    status = {
        LineState.PAID: "paid",
        LineState.PAYABLE: "to_collect",
        LineState.CARRIED: "carried",
        LineState.ABSORBED: "carried",
    }
    return [Received(at, share, cur, status[state]) for at, share, cur, state in rows]
