"""Rows written from a phone are recorded as the member's who dialled (``ussd:<id>``)."""

from sqlalchemy import select

from ledger import authors, gold
from ledger.models import Entry, Purchase
from tests.ussd.conftest import PIN


def test_a_purchase_over_ussd_is_recorded_as_the_buyers(session, phone, world):
    gold.post_price(session, world.coop, 95_50)
    session.commit()
    handset = phone(world.buyer.phone)
    handset.walk("8", PIN, world.member.phone, "1", "5", "1", "1", "1")
    session.expire_all()
    purchase = session.scalar(select(Purchase))
    assert purchase is not None
    tag = f"ussd:{world.buyer.id}"
    assert purchase.recorded_by == tag
    assert session.get(Entry, purchase.entry_id).recorded_by == tag
    assert authors.label(session, tag) == "Baraka Lokana (USSD)"
