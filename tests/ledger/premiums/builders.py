"""A cooperative with miners and purchases, for the premium tests."""

from __future__ import annotations

import datetime as dt

from ledger import gold
from ledger.models import Purchase
from tests import factories

NOON = dt.datetime(2025, 3, 10, 10, 0)  # 12:00 local in Ituri


def world(session, miners: int = 3):
    coop = factories.cooperative(session)
    site = factories.site(session, coop)
    people = [
        factories.member(session, roles="miner", site=site, coop=coop, language=lang)
        for lang in ("sw", "ln", "fr", "en", "sw", "fr")[:miners]
    ]
    return coop, site, people


def buy(session, miner, site, grams: str, fineness: str | None = "0.900", at=NOON) -> Purchase:
    return gold.record_purchase(
        session,
        miner=miner,
        site=site,
        weight_mg=gold.parse_grams(grams),
        price_per_gram=gold.price_to_minor("100.00", "USD"),
        currency="USD",
        fineness_ppm=gold.parse_fineness(fineness),
        at=at,
    )
