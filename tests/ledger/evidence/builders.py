"""Builders for evidence tests: a cooperative with registered miners, purchases at given
times, and the settings in force."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from ledger import gold
from ledger.evidence import settings
from ledger.models import Flag, FlagKind, Purchase, Site
from tests import factories

#: Ituri is UTC+2: local midnight is 22:00 UTC the day before.
UTC_MIDNIGHT_LOCAL = dt.time(22, 0)

# 2025-03-10 local (UTC+2) is 2025-03-09 22:00 .. 2025-03-10 22:00 UTC.
NOON = dt.datetime(2025, 3, 10, 10, 0)  # 12:00 local


def miner(
    session,
    site: Site | None,
    *,
    gender: str = "F",
    id_document: str | None = "ID-1",
    roles: str = "miner",
    coop=None,
):
    m = factories.member(
        session,
        gender=gender,
        roles=roles,
        site=site,
        coop=coop or (site.cooperative if site else None),
    )
    m.id_document = id_document
    session.flush()
    return m


def buy(
    session,
    miner_,
    site: Site,
    grams: str | int,
    at: dt.datetime,
    *,
    price: str = "100.00",
    currency: str = "USD",
    fineness: str | None = None,
) -> Purchase:
    return gold.record_purchase(
        session,
        miner=miner_,
        site=site,
        weight_mg=gold.parse_grams(str(grams)),
        price_per_gram=gold.price_to_minor(price, currency),
        currency=currency,
        fineness_ppm=gold.parse_fineness(fineness),
        at=at,
    )


def use(monkeypatch, **changes) -> settings.Settings:
    """Settings in force for this test only."""
    from dataclasses import replace

    s = replace(settings.current(), **changes)
    monkeypatch.setattr(settings, "_current", s)
    return s


def post_price(session, coop, at: dt.datetime, usd: int, cdf: int | None = None):
    """A price post made at ``at``."""
    post = gold.post_price(session, coop, usd, cdf)
    post.posted_at = at
    session.flush()
    return post


def kinds(session, kind: FlagKind | None = None) -> list[Flag]:
    """The stored flags (of one kind), oldest first."""
    query = select(Flag).order_by(Flag.id)
    if kind is not None:
        query = query.where(Flag.kind == kind)
    return list(session.scalars(query))
