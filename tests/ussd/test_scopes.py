"""Lookups by phone or member number find only members within the caller's reach: a buyer
their cooperative's, an officer their group's, a coordinator their cooperative's. Anyone
else gets the screen an unknown number gets."""

from __future__ import annotations

from sqlalchemy import func, select

from ledger import pins
from ledger.models import Purchase
from tests import factories
from tests.ussd.conftest import PIN, Words

NOT_FOUND = "No member with this number."


def test_a_buyer_finds_no_miner_of_another_cooperative(session, phone, world):
    far_coop = factories.cooperative(session, "COOPMAMBASA", "Cooperative de Mambasa")
    far = factories.member(session, name="Kambale Mambasa", roles="member,miner", coop=far_coop)
    session.commit()
    w = Words(world.buyer.language)
    handset = phone(world.buyer.phone)
    handset.walk("8", PIN)
    for typed in (str(far.id), far.phone):
        screen = handset.reply(typed)
        assert screen.startswith(f"CON {w(NOT_FOUND)}\n"), (typed, screen)
        assert "Kambale" not in screen
    # A member of the buyer's cooperative is found by number.
    assert "SITE1" in handset.reply(str(world.member.id))
    assert session.scalar(select(func.count()).select_from(Purchase)) == 0


def test_a_shared_phone_lists_only_members_in_reach(session, phone, world):
    far_coop = factories.cooperative(session, "COOPMAMBASA", "Cooperative de Mambasa")
    factories.member(session, name="Kambale Cousin", number=world.member.phone, coop=far_coop)
    session.commit()
    handset = phone(world.buyer.phone)
    handset.walk("8", PIN)
    # One member of the buyer's cooperative on the phone: no "which one?" naming the cousin.
    screen = handset.reply(world.member.phone)
    assert "Kambale" not in screen
    assert "SITE1" in screen


def test_an_officer_finds_no_member_of_another_group(session, phone, world):
    other_group = factories.group(session, world.coop, "VSLA2")
    stranger = factories.member(session, other_group, name="Zawadi Ngona")
    pins.set_pin(session, stranger, PIN)
    session.commit()
    w = Words(world.officer.language)
    handset = phone(world.officer.phone)
    handset.walk("11", PIN)
    for typed in (str(stranger.id), stranger.phone):
        screen = handset.reply(typed)
        assert screen.startswith(f"CON {w(NOT_FOUND)}\n"), (typed, screen)
        assert "Zawadi" not in screen
