"""The checks behind the flags ("spot the liar"): each turns purchases into ``Finding``s keyed
by what they are about, so computing them again updates a flag instead of adding one:

- per purchase: the seller, the site's status, the price against the posted price;
- per site and local day: grams of the last 30 days against the site's capacity;
- per site, miner and local month: the miner against the site's median miner;
- per miner, local day and cooperative: purchases at several sites.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ledger import sites
from ledger.evidence import prices
from ledger.evidence.prices import PostedPrices
from ledger.evidence.settings import Settings
from ledger.models import FlagKind, Member, MemberStatus, Purchase, Role, Site, SiteStatus
from ledger.units import MG_PER_GRAM


@dataclass
class Finding:
    kind: FlagKind
    key: str
    cooperative_id: int
    day: dt.date
    reason: str
    details: dict
    site_id: int | None = None
    member_id: int | None = None
    purchase_id: int | None = None


def _exact(value: int | Fraction | Decimal) -> Decimal:
    if isinstance(value, Fraction):
        return Decimal(value.numerator) / Decimal(value.denominator)
    return Decimal(value)


def _g(mg: int | Fraction | Decimal) -> str:
    """Milligrams as grams (3 places) for a reason sentence."""
    return f"{(_exact(mg) / MG_PER_GRAM).quantize(Decimal('0.001'))}"


def _dec(value: Fraction, places: int = 4) -> str:
    return str(_exact(value).quantize(Decimal(1).scaleb(-places)))


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _next_month(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def median(values: list[int]) -> Fraction:
    ordered = sorted(values)
    mid = len(ordered) // 2
    if len(ordered) % 2:
        return Fraction(ordered[mid])
    return Fraction(ordered[mid - 1] + ordered[mid], 2)


# -- checks ----------------------------------------------------------------------------------


def check_seller(purchase: Purchase, miner: Member, site: Site, s: Settings) -> list[Finding]:
    """No ID document, not a miner, inactive, or not registered at the site of the sale."""
    day = s.local_day(purchase.purchased_at)
    problems = []
    if not miner.id_document:
        problems.append("no_id_document")
    if not miner.has_role(Role.MINER):
        problems.append("not_miner")
    left = miner.left_on is not None and miner.left_on <= day
    if left or (miner.status == MemberStatus.INACTIVE and miner.left_on is None):
        problems.append("inactive")
    if miner.site_id is None:
        problems.append("no_site")
    elif miner.site_id != site.id:
        problems.append("other_site")
    if not problems:
        return []
    return [
        Finding(
            FlagKind.UNREGISTERED_SELLER,
            f"unregistered_seller:purchase:{purchase.id}",
            purchase.cooperative_id,
            day,
            f"seller {miner.id} at {site.code}: {', '.join(p.replace('_', ' ') for p in problems)}",
            {
                "problems": problems,
                "id_document_on_file": bool(miner.id_document),
                "roles": sorted(miner.role_set),
                "status": miner.status.value,
                "registered_site_id": miner.site_id,
                "site_id": site.id,
                "receipt_number": purchase.receipt_number,
            },
            site_id=site.id,
            member_id=miner.id,
            purchase_id=purchase.id,
        )
    ]


def check_site_status(
    purchase: Purchase, site: Site, s: Settings, today: dt.date | None = None
) -> list[Finding]:
    """Bought from a site that was blue (not inspected) or yellow on the purchase's day, or
    one that is red now (purchases at a red site are refused; it may have turned red since)."""
    then = purchase.site_status or site.status  # purchases from before statuses were kept
    now = sites.status_on(site, today or s.today()).status
    if then not in (SiteStatus.BLUE, SiteStatus.YELLOW) and now != SiteStatus.RED:
        return []
    label = {"blue": "blue (not inspected)"}
    reason = f"bought from {site.code} while it was {label.get(then.colour, then.colour)}"
    if now != then:
        reason += f"; it is {now.colour} now"
    return [
        Finding(
            FlagKind.SITE_STATUS,
            f"site_status:purchase:{purchase.id}",
            purchase.cooperative_id,
            s.local_day(purchase.purchased_at),
            reason,
            {
                "site_status": then.colour,
                "site_status_now": now.colour,
                "receipt_number": purchase.receipt_number,
            },
            site_id=site.id,
            member_id=purchase.miner_id,
            purchase_id=purchase.id,
        )
    ]


def _price_finding(
    kind: FlagKind,
    purchase: Purchase,
    post,
    posted: int,
    s: Settings,
    reason: str,
    **numbers: str,
) -> Finding:
    ratio = Fraction(purchase.price_per_gram, posted)
    return Finding(
        kind,
        f"{kind.value}:purchase:{purchase.id}",
        purchase.cooperative_id,
        s.local_day(purchase.purchased_at),
        reason.format(ratio=_dec(ratio, 2)),
        {
            "currency": purchase.currency,
            "price_per_gram_minor": purchase.price_per_gram,
            "posted_per_gram_minor": posted,
            **numbers,
            "ratio": _dec(ratio),
            "price_post_id": post.id,
            "posted_at": post.posted_at.isoformat() + "Z",
            "receipt_number": purchase.receipt_number,
        },
        site_id=purchase.site_id,
        member_id=purchase.miner_id,
        purchase_id=purchase.id,
    )


def check_price(
    session: Session, purchase: Purchase, s: Settings, table: PostedPrices | None = None
) -> list[Finding]:
    """Paid more per gram than the posted price x ``price_multiple`` (gold from elsewhere
    bought dear), or less than the posted price x (1 - ``underpayment_tolerance``) (the
    miner underpaid)."""
    post = table.post(purchase) if table else prices.in_force(session, purchase, s)
    posted = prices.per_gram(post, purchase.currency)
    if not posted:
        return []
    high = Decimal(posted) * s.price_multiple
    if Decimal(purchase.price_per_gram) > high:
        reason = f"paid {{ratio}}x the posted price per gram (limit {s.price_multiple}x)"
        return [
            _price_finding(
                FlagKind.PRICE_ABOVE_POSTED,
                purchase,
                post,
                posted,
                s,
                reason,
                multiple=str(s.price_multiple),
                limit_minor=str(high),
            )
        ]
    low = Decimal(posted) * (1 - s.underpayment_tolerance)
    if Decimal(purchase.price_per_gram) < low:
        reason = (
            f"miner paid {{ratio}}x the posted price per gram"
            f" (more than {s.underpayment_tolerance * 100:.0f}% below)"
        )
        return [
            _price_finding(
                FlagKind.UNDERPAYMENT,
                purchase,
                post,
                posted,
                s,
                reason,
                tolerance=str(s.underpayment_tolerance),
                limit_minor=str(low),
            )
        ]
    return []


def check_site_capacity(
    session: Session, site: Site, day: dt.date, s: Settings, purchase_id: int | None = None
) -> list[Finding]:
    """Grams bought from the site over the 30 local days ending ``day`` > capacity x tolerance."""
    first = day - dt.timedelta(days=s.capacity_window_days - 1)
    total, count = session.execute(
        select(func.coalesce(func.sum(Purchase.weight_mg), 0), func.count()).where(
            Purchase.site_id == site.id,
            Purchase.purchased_at >= s.day_start(first),
            Purchase.purchased_at < s.day_start(day + dt.timedelta(days=1)),
        )
    ).one()
    limit = Decimal(site.capacity_mg_per_month) * s.capacity_tolerance
    if not Decimal(total) > limit:
        return []
    return [
        Finding(
            FlagKind.SITE_CAPACITY,
            f"site_capacity:{site.id}:{day.isoformat()}",
            site.cooperative_id,
            day,
            f"{_g(total)} g bought from {site.code} in {s.capacity_window_days} days, above"
            f" its capacity of {_g(site.capacity_mg_per_month)} g a month"
            f" x {s.capacity_tolerance}",
            {
                "window_days": s.capacity_window_days,
                "from": first.isoformat(),
                "to": day.isoformat(),
                "bought_mg": int(total),
                "purchases": int(count),
                "capacity_mg_per_month": site.capacity_mg_per_month,
                "tolerance": str(s.capacity_tolerance),
                "limit_mg": str(limit),
                "excess_mg": str(Decimal(total) - limit),
            },
            site_id=site.id,
            purchase_id=purchase_id,
        )
    ]


def check_miner_outliers(
    session: Session, site: Site, day: dt.date, s: Settings, purchase_id: int | None = None
) -> list[Finding]:
    """Miners whose grams at the site in ``day``'s local month exceed ``outlier_multiple`` x
    the median of every miner who sold there that month (at least ``outlier_min_miners``)."""
    first = month_start(day)
    volumes = dict(
        session.execute(
            select(Purchase.miner_id, func.sum(Purchase.weight_mg))
            .where(
                Purchase.site_id == site.id,
                Purchase.purchased_at >= s.day_start(first),
                Purchase.purchased_at < s.day_start(_next_month(first)),
            )
            .group_by(Purchase.miner_id)
        ).all()
    )
    if len(volumes) < s.outlier_min_miners:
        return []
    mid = median([int(v) for v in volumes.values()])
    limit = mid * Fraction(s.outlier_multiple)
    found = []
    for miner_id, volume in sorted(volumes.items()):
        if not Fraction(int(volume)) > limit:
            continue
        found.append(
            Finding(
                FlagKind.MINER_OUTLIER,
                f"miner_outlier:{site.id}:{miner_id}:{first:%Y-%m}",
                site.cooperative_id,
                first,
                f"miner {miner_id} sold {_g(int(volume))} g at {site.code} in {first:%Y-%m},"
                f" {_dec(Fraction(int(volume)) / mid, 2)}x the median miner ({_g(mid)} g)",
                {
                    "month": f"{first:%Y-%m}",
                    "miner_mg": int(volume),
                    "median_mg": _dec(mid, 1),
                    "miners": len(volumes),
                    "multiple": str(s.outlier_multiple),
                    "limit_mg": _dec(limit, 1),
                    "ratio": _dec(Fraction(int(volume)) / mid),
                },
                site_id=site.id,
                member_id=miner_id,
                purchase_id=purchase_id,
            )
        )
    return found


def check_multi_site(
    session: Session, miner_id: int, day: dt.date, s: Settings, purchase_id: int | None = None
) -> list[Finding]:
    """The miner sold at two or more sites on the same local day (one flag per cooperative
    involved, each listing every site)."""
    rows = list(
        session.scalars(
            select(Purchase)
            .where(
                Purchase.miner_id == miner_id,
                Purchase.purchased_at >= s.day_start(day),
                Purchase.purchased_at < s.day_start(day + dt.timedelta(days=1)),
            )
            .order_by(Purchase.purchased_at, Purchase.id)
        )
    )
    site_ids = {p.site_id for p in rows}
    codes = (
        dict(session.execute(select(Site.id, Site.code).where(Site.id.in_(site_ids))).all())
        if len(site_ids) > 1
        else {}
    )
    return multi_site_findings(miner_id, day, rows, codes, purchase_id)


def multi_site_findings(
    miner_id: int,
    day: dt.date,
    rows: list[Purchase],
    codes: dict[int, str],
    purchase_id: int | None = None,
) -> list[Finding]:
    """``check_multi_site`` on the miner's purchases of that day, already loaded."""
    site_ids = sorted({p.site_id for p in rows})
    if len(site_ids) < 2:
        return []
    details = {
        "day": day.isoformat(),
        "sites": [codes[i] for i in site_ids],
        "site_ids": site_ids,
        "receipts": [p.receipt_number for p in rows],
    }
    return [
        Finding(
            FlagKind.MULTI_SITE_DAY,
            f"multi_site_day:{coop}:{miner_id}:{day.isoformat()}",
            coop,
            day,
            f"miner {miner_id} sold at {len(site_ids)} sites on {day.isoformat()}:"
            f" {', '.join(details['sites'])}",
            details,
            member_id=miner_id,
            purchase_id=purchase_id or rows[-1].id,
        )
        for coop in sorted({p.cooperative_id for p in rows})
    ]
