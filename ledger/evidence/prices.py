"""The posted price in force at a purchase: the cooperative's latest post at or before it,
at most ``price_max_age_days`` old, in the purchase's currency."""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.evidence.settings import Settings
from ledger.models import PricePost, Purchase


def per_gram(post: PricePost | None, currency: str) -> int | None:
    """The post's price per gram in minor units of ``currency`` (None: not posted in it)."""
    if post is None:
        return None
    return {"USD": post.usd_per_gram, "CDF": post.cdf_per_gram}.get(currency)


def in_force(session: Session, purchase: Purchase, s: Settings) -> PricePost | None:
    """One lookup (the purchase hook)."""
    return session.scalar(
        select(PricePost)
        .where(
            PricePost.cooperative_id == purchase.cooperative_id,
            PricePost.posted_at <= purchase.purchased_at,
            PricePost.posted_at >= purchase.purchased_at - dt.timedelta(days=s.price_max_age_days),
        )
        .order_by(PricePost.posted_at.desc(), PricePost.id.desc())
        .limit(1)
    )


class PostedPrices:
    """Every post that can be in force for purchases from ``since`` on, loaded once, so
    many purchases are matched without a query each (the scan, the gold indicators)."""

    def __init__(self, session: Session, coop_ids: set[int], since: dt.datetime, s: Settings):
        self.max_age = dt.timedelta(days=s.price_max_age_days)
        self.posts: dict[int, list[PricePost]] = defaultdict(list)
        if coop_ids:
            for post in session.scalars(
                select(PricePost)
                .where(
                    PricePost.cooperative_id.in_(coop_ids),
                    PricePost.posted_at >= since - self.max_age,
                )
                .order_by(PricePost.posted_at, PricePost.id)
            ):
                self.posts[post.cooperative_id].append(post)
        self.times = {c: [p.posted_at for p in posts] for c, posts in self.posts.items()}

    def post(self, purchase: Purchase) -> PricePost | None:
        times = self.times.get(purchase.cooperative_id, [])
        i = bisect.bisect_right(times, purchase.purchased_at)
        if i == 0:
            return None
        post = self.posts[purchase.cooperative_id][i - 1]
        return None if post.posted_at < purchase.purchased_at - self.max_age else post

    def per_gram(self, purchase: Purchase) -> int | None:
        return per_gram(self.post(purchase), purchase.currency)
