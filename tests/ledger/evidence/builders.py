"""Builders for evidence tests: a cooperative with registered miners, purchases at given
times, and the settings in force."""

from __future__ import annotations

import datetime as dt

from ledger import gold
from ledger.evidence import settings
from ledger.models import Purchase, Site
from tests import factories

#: Ituri is UTC+2: local midnight is 22:00 UTC the day before.
UTC_MIDNIGHT_LOCAL = dt.time(22, 0)


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
