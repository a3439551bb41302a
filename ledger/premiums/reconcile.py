"""Reconciliation: payouts by state and method, each premium's paid against approved, and
payouts stuck in ``unknown`` for more than a day raised as flags for the coordinator."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ledger.evidence.checks import Finding
from ledger.evidence.flags import save
from ledger.models import (
    FlagKind,
    LineState,
    Payout,
    PayoutMethod,
    PayoutState,
    Premium,
    PremiumStatus,
)


def _where(query, cooperative_id: int | None, state: PayoutState | None, method=None):
    if cooperative_id is not None:
        query = query.where(Payout.cooperative_id == cooperative_id)
    if state is not None:
        query = query.where(Payout.state == state)
    if method is not None:
        query = query.where(Payout.method == method)
    return query


def totals(
    session: Session,
    *,
    cooperative_id: int | None = None,
    state: PayoutState | None = None,
    method: PayoutMethod | None = None,
) -> list[dict]:
    """Count and amount of payouts per state, method and currency."""
    query = _where(
        select(
            Payout.state,
            Payout.method,
            Payout.currency,
            func.count(),
            func.coalesce(func.sum(Payout.amount), 0),
        ).group_by(Payout.state, Payout.method, Payout.currency),
        cooperative_id,
        state,
        method,
    )
    return [
        {"state": s, "method": m, "currency": c, "count": n, "amount": int(a)}
        for s, m, c, n, a in sorted(session.execute(query).all())
    ]


def listing(
    session: Session,
    *,
    cooperative_id: int | None = None,
    state: PayoutState | None = None,
    method: PayoutMethod | None = None,
    limit: int = 100,
    before_id: int | None = None,
) -> list[Payout]:
    query = _where(select(Payout), cooperative_id, state, method)
    if before_id is not None:
        query = query.where(Payout.id < before_id)
    return list(session.scalars(query.order_by(Payout.id.desc()).limit(limit)))


def premiums_paid(
    session: Session, cooperative_id: int | None = None, limit: int = 50
) -> list[dict]:
    """Each approved premium, newest first: what its miners were given, what is due now
    (with what earlier premiums carried to it), what has been paid and what is carried on."""
    query = select(Premium).where(Premium.status == PremiumStatus.APPROVED)
    if cooperative_id is not None:
        query = query.where(Premium.cooperative_id == cooperative_id)
    out = []
    for premium in session.scalars(query.order_by(Premium.id.desc()).limit(limit)):
        lines = premium.lines
        paid = session.scalar(
            select(func.coalesce(func.sum(Payout.amount), 0)).where(
                Payout.cause.in_([f"premium_line:{line.id}" for line in lines] or [""]),
                Payout.state == PayoutState.PAID,
            )
        )
        payable = (LineState.PAYABLE, LineState.PAID)
        out.append(
            {
                "premium_id": premium.id,
                "currency": premium.currency,
                "approved_at": premium.approved_at,
                "miners_total": sum(line.share for line in lines),
                "due": sum(line.due for line in lines if line.state in payable),
                "paid": int(paid),
                "carried": sum(line.due for line in lines if line.state in (LineState.CARRIED,)),
            }
        )
    return out


def flag_stale_unknown(session: Session, now: dt.datetime, hours: int) -> int:
    """A flag for every payout ``unknown`` for more than ``hours``: money that may or may
    not have reached a miner is the coordinator's to chase. Returns the flags created."""
    stale = session.scalars(
        select(Payout).where(
            Payout.state == PayoutState.UNKNOWN,
            Payout.unknown_since < now - dt.timedelta(hours=hours),
        )
    ).all()
    findings = [
        Finding(
            kind=FlagKind.PAYOUT_UNKNOWN,
            key=f"payout_unknown:{p.id}",
            cooperative_id=p.cooperative_id,
            day=p.unknown_since.date(),
            reason=f"payout {p.reference} unknown since {p.unknown_since:%Y-%m-%d %H:%M} UTC:"
            " ask the provider",
            details={"reference": p.reference, "amount": p.amount, "currency": p.currency},
            member_id=p.member_id,
        )
        for p in stale
    ]
    created, _ = save(session, findings)
    return created
