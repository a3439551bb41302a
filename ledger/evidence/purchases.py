"""Gold indicators: grams and value bought per site and month, price paid against the posted
price, receipts delivered — split by the seller's gender."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.evidence.measure import GENDERS, money, per, ratio
from ledger.evidence.prices import PostedPrices
from ledger.evidence.settings import Period
from ledger.models import Member, Message, MessageStatus, Purchase, Site
from ledger.units import MG_PER_GRAM, grams

#: Indicator -> unit; ``money`` is the currency of the purchases, ``money/g`` per gram.
UNITS = {
    "purchases": "count",
    "sellers": "count",
    "grams": "g",
    "value": "money",
    "average_price_paid": "money/g",
    "average_price_posted": "money/g",
    "paid_vs_posted": "ratio",
    "purchases_with_posted_price": "count",
    "receipts_delivered": "count",
    "receipt_delivered_rate": "ratio",
}


@dataclass
class Sales:
    """Additive sums for one gender slice of a site-month (or of everything)."""

    purchases: int = 0
    mg: int = 0
    value: int = 0  # minor units, sum of purchase totals
    sellers: set[int] = field(default_factory=set)
    delivered: int = 0  # purchases whose receipt reached the handset
    priced: int = 0  # purchases with a posted price in force
    priced_mg: int = 0
    paid_x_mg: int = 0  # sum of price per gram x mg, over priced purchases
    posted_x_mg: int = 0  # sum of posted price per gram x mg, over priced purchases


def _slices() -> dict[str, Sales]:
    return {g: Sales() for g in GENDERS}


def _indicators(slices: dict[str, Sales], currency: str) -> dict[str, object]:
    def by(fn):
        return {g: fn(slices[g]) for g in GENDERS}

    return {
        "purchases": by(lambda s: s.purchases),
        "sellers": by(lambda s: len(s.sellers)),
        "grams": by(lambda s: grams(s.mg)),
        "value": by(lambda s: money(s.value, currency)),
        # value per gram: sum of totals x 1000 / sum of mg
        "average_price_paid": by(lambda s: money(per(s.value * MG_PER_GRAM, s.mg), currency)),
        "average_price_posted": by(lambda s: money(per(s.posted_x_mg, s.priced_mg), currency)),
        "paid_vs_posted": by(lambda s: ratio(s.paid_x_mg, s.posted_x_mg)),
        "purchases_with_posted_price": by(lambda s: s.priced),
        "receipts_delivered": by(lambda s: s.delivered),
        "receipt_delivered_rate": by(lambda s: ratio(s.delivered, s.purchases)),
    }


def delivered_purchase_ids(session: Session, ids: set[int]) -> set[int]:
    """Purchases with a delivered SMS caused by them (``cause = "purchase:<id>"``)."""
    if not ids:
        return set()
    causes = [f"purchase:{i}" for i in ids]
    found: set[int] = set()
    for start in range(0, len(causes), 500):
        for cause in session.scalars(
            select(Message.cause).where(
                Message.cause.in_(causes[start : start + 500]),
                Message.status == MessageStatus.DELIVERED,
            )
        ):
            found.add(int(cause.split(":", 1)[1]))
    return found


def gold_indicators(session: Session, period: Period) -> dict:
    """Purchases made in ``period``, by site, month and currency, and in total per currency."""
    s, start, end = period.s, period.start, period.end
    query = (
        select(Purchase, Member.gender, Site.code)
        .join(Member, Member.id == Purchase.miner_id)
        .join(Site, Site.id == Purchase.site_id)
        .where(Purchase.purchased_at >= start, Purchase.purchased_at < end)
    )
    if period.cooperative_id is not None:
        query = query.where(Purchase.cooperative_id == period.cooperative_id)
    rows = session.execute(query.order_by(Purchase.purchased_at, Purchase.id)).all()
    prices = PostedPrices(session, {p.cooperative_id for p, _, _ in rows}, start, s)
    delivered = delivered_purchase_ids(session, {p.id for p, _, _ in rows})

    buckets: dict[tuple[str, str, str], dict[str, Sales]] = defaultdict(_slices)
    totals: dict[str, dict[str, Sales]] = defaultdict(_slices)
    for p, gender, site_code in rows:
        month = f"{s.local_day(p.purchased_at):%Y-%m}"
        posted = prices.per_gram(p)
        for slices in (buckets[(site_code, month, p.currency)], totals[p.currency]):
            for key in ("all", gender.value):
                sale = slices[key]
                sale.purchases += 1
                sale.mg += p.weight_mg
                sale.value += p.total
                sale.sellers.add(p.miner_id)
                sale.delivered += p.id in delivered
                if posted:
                    sale.priced += 1
                    sale.priced_mg += p.weight_mg
                    sale.paid_x_mg += p.price_per_gram * p.weight_mg
                    sale.posted_x_mg += posted * p.weight_mg
    return {
        "since": period.since.isoformat(),
        "until": period.until.isoformat(),
        "by_site_month": [
            {
                "site": site,
                "month": month,
                "currency": currency,
                "indicators": _indicators(slices, currency),
            }
            for (site, month, currency), slices in sorted(buckets.items())
        ],
        "totals": {
            currency: _indicators(slices, currency) for currency, slices in sorted(totals.items())
        },
    }
