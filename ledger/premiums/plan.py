"""A premium's distribution plan: which miners sold the gold it was paid for, how much of it
each sold, and her exact share.

**The split** (``split``): the miners' part of the premium, in minor units, is divided in
proportion to what each counted: everyone first gets ``floor(part x counted / total)``; the
few units left over go one each to the largest remainders, ties to the lower member id. The
shares always sum exactly to the miners' part.

**What counts** (``basis``): ``grams``, the weight each miner sold; ``fine_grams``, the fine
gold (weight x fineness). A purchase recorded without its fineness is counted, under
``fine_grams``, at the plan's average fineness (the fine gold of the purchases whose fineness
is known divided by their weight, rounded down to a part per million): the miner is not
penalised for an assay the buyer did not record, nor rewarded above her neighbours. When no
purchase of the plan has a known fineness, every purchase counts by weight.

**Community share**: ``community_share`` (a fraction, ``"0.10"``) of the premium, rounded
down to the minor unit, goes to a named savings group or the cooperative's community
account; the miners share the rest, so a rounding cent always goes to a miner.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger import units
from ledger.days import check_day
from ledger.errors import LedgerError
from ledger.evidence import settings as evidence_settings
from ledger.models import (
    Cooperative,
    Group,
    LineState,
    Lot,
    LotInput,
    PayoutMethod,
    Premium,
    PremiumBasis,
    PremiumLine,
    Purchase,
)
from ledger.money import check_amount, check_currency, to_decimal
from ledger.premiums.defaults import MAX_PREMIUM_LOTS, MAX_PREMIUM_MINERS
from ledger.shareout import split_fund


def split(amount: int, counted: dict[int, int]) -> dict[int, int]:
    """``amount`` minor units in proportion to ``counted`` (member id -> what she counted),
    summing exactly to ``amount``: largest remainders, ties to the lower member id."""
    return split_fund(amount, counted)


@dataclass(frozen=True)
class Sale:
    """What one purchase counts for in a plan."""

    member_id: int
    lot_number: str
    weight_mg: int
    fineness_ppm: int | None


def average_fineness(sales: list[Sale]) -> int | None:
    """The plan's average fineness in ppm, weighted by weight, rounded down; None when no
    sale's fineness is known."""
    known = [s for s in sales if s.fineness_ppm is not None]
    weight = sum(s.weight_mg for s in known)
    if not weight:
        return None
    return sum(s.weight_mg * s.fineness_ppm for s in known) // weight


def counted_units(sales: list[Sale], basis: PremiumBasis) -> dict[int, int]:
    """Member id -> what she counts for, in exact integer units (mg, or mg x ppm)."""
    average = average_fineness(sales) if basis == PremiumBasis.FINE_GRAMS else None
    out: dict[int, int] = defaultdict(int)
    for sale in sales:
        if average is None:
            out[sale.member_id] += sale.weight_mg
        else:
            fineness = sale.fineness_ppm if sale.fineness_ppm is not None else average
            out[sale.member_id] += sale.weight_mg * fineness
    return dict(out)


def parse_share(value: object) -> int:
    """A community share as a fraction (``"0.10"``) in parts per million, 0 to 0.5."""
    if value is None or value == "":
        return 0
    share = to_decimal(value, "community_share", 6)
    if not Decimal(0) <= share <= Decimal("0.5"):
        raise LedgerError(
            "out_of_range", "community_share is a fraction from 0 to 0.5", "community_share"
        )
    return units.ppm(share)


def _lot_tree(session: Session, cooperative: Cooperative, lot_numbers: list[str]) -> list[int]:
    """The ids of the named lots of ``cooperative`` and of every lot that went into them."""
    if not isinstance(lot_numbers, list) or not lot_numbers:
        raise LedgerError("required", "name the lots the premium was paid for", "lots")
    if len(lot_numbers) > MAX_PREMIUM_LOTS:
        raise LedgerError("too_many", f"at most {MAX_PREMIUM_LOTS} lots", "lots")
    ids: set[int] = set()
    for number in lot_numbers:
        lot = None
        if isinstance(number, str) and 0 < len(number.strip()) <= 32:
            lot = session.scalar(select(Lot).where(Lot.lot_number == number.strip().upper()))
        # Another cooperative's lot is answered as an unknown one.
        if lot is None or lot.cooperative_id != cooperative.id:
            raise LedgerError("unknown_lot", f"unknown lot {str(number)[:32]}", "lots")
        ids.add(lot.id)
    frontier = list(ids)
    while frontier:
        inputs = session.scalars(
            select(LotInput.input_lot_id).where(LotInput.output_lot_id.in_(frontier))
        ).all()
        frontier = [i for i in inputs if i not in ids]
        ids.update(frontier)
    return sorted(ids)


def sales(
    session: Session,
    cooperative: Cooperative,
    *,
    lots: list[str] | None = None,
    period: tuple[dt.date, dt.date] | None = None,
) -> list[Sale]:
    """The purchases a premium is for: those in the named lots (and the lots combined into
    them), or those of ``period`` (local days, both included)."""
    query = (
        select(Purchase.miner_id, Lot.lot_number, Purchase.weight_mg, Purchase.fineness_ppm)
        .join(Lot, Lot.id == Purchase.lot_id)
        .where(Purchase.cooperative_id == cooperative.id)
        .order_by(Purchase.id)
    )
    if (lots is None) == (period is None):
        raise LedgerError("lots_or_period", "give either lots or a period", "lots")
    if lots is not None:
        query = query.where(Purchase.lot_id.in_(_lot_tree(session, cooperative, lots)))
    else:
        first, last = (check_day(day, "period") for day in period)
        if last < first:
            raise LedgerError("bad_period", "the period ends before it starts", "period")
        zone = evidence_settings.current()
        query = query.where(
            Purchase.purchased_at >= zone.day_start(first),
            Purchase.purchased_at < zone.day_start(last + dt.timedelta(days=1)),
        )
    return [Sale(*row) for row in session.execute(query)]


def plan_premium(
    session: Session,
    *,
    cooperative: Cooperative,
    amount: int,
    currency: str,
    basis: PremiumBasis | str,
    method: PayoutMethod | str = PayoutMethod.CASH,
    lots: list[str] | None = None,
    period: tuple[dt.date, dt.date] | None = None,
    community_share: object = None,
    community_group: Group | None = None,
    note: str | None = None,
) -> Premium:
    """Write the plan (nothing in the journal yet): one line per miner, summing exactly to
    the premium less its community share."""
    currency = check_currency(currency)
    check_amount(amount)
    try:
        basis = PremiumBasis(basis)
    except ValueError:
        raise LedgerError("bad_basis", "basis is fine_grams or grams", "basis") from None
    try:
        method = PayoutMethod(method)
    except ValueError:
        raise LedgerError("bad_method", "method is cash or mobile_money", "method") from None
    share_ppm = parse_share(community_share)
    if community_group is not None and community_group.cooperative_id != cooperative.id:
        raise LedgerError("unknown_group", "unknown group", "community_group")
    found = sales(session, cooperative, lots=lots, period=period)
    if not found:
        raise LedgerError("no_sales", "no purchase of the cooperative is in these lots", "lots")
    counted = counted_units(found, basis)
    if len(counted) > MAX_PREMIUM_MINERS:
        raise LedgerError("too_many", f"at most {MAX_PREMIUM_MINERS} miners a premium", "lots")
    community = amount * share_ppm // units.PPM
    shares = split(amount - community, counted)
    premium = Premium(
        cooperative_id=cooperative.id,
        currency=currency,
        amount=amount,
        basis=basis,
        lots=",".join(sorted({s.strip().upper() for s in lots}))[:400] if lots else None,
        period_from=period[0] if period else None,
        period_to=period[1] if period else None,
        community_ppm=share_ppm,
        community_amount=community,
        community_group_id=community_group.id if community_group else None,
        method=method,
        note=(note or "").strip()[:200] or None,
    )
    session.add(premium)
    session.flush()
    scale = units.PPM if basis == PremiumBasis.FINE_GRAMS and average_fineness(found) else 1
    by_miner: dict[int, list[Sale]] = defaultdict(list)
    for sale in found:
        by_miner[sale.member_id].append(sale)
    for member_id in sorted(counted):
        own = by_miner[member_id]
        unknown = (
            sum(s.weight_mg for s in own if s.fineness_ppm is None)
            if basis == PremiumBasis.FINE_GRAMS
            else 0
        )
        session.add(
            PremiumLine(
                premium_id=premium.id,
                member_id=member_id,
                lots=",".join(sorted({s.lot_number for s in own}))[:400],
                weight_mg=sum(s.weight_mg for s in own),
                counted_mg=counted[member_id] // scale,
                unknown_fineness_mg=unknown,
                share=shares[member_id],
                carried_in=0,
                state=LineState.PLANNED,
            )
        )
    session.flush()
    return premium
