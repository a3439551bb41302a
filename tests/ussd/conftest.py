"""A small world of members with every role, and a phone that checks every screen."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from ledger import pins
from locales.gsm7 import is_gsm7
from tests import factories
from ussd.defaults import MAX_SCREEN_CHARS
from ussd.dial import Phone, client_transport

PIN = "2580"


def check_answer(answer: str) -> str:
    """Every answer is CON/END and a screen a feature phone shows whole."""
    assert answer.startswith(("CON ", "END ")), answer
    screen = answer[4:]
    assert screen.strip(), answer
    assert len(screen) <= MAX_SCREEN_CHARS, (len(screen), screen)
    assert is_gsm7(screen), screen
    return answer


class CheckedPhone(Phone):
    def _send(self) -> str:
        return check_answer(super()._send())

    def walk(self, *replies: str) -> str:
        """Dial and reply in turn; the last screen."""
        screen = self.dial()
        for value in replies:
            assert not self.ended, (value, screen)
            screen = self.reply(value)
        return screen


@pytest.fixture
def phone(client):
    def make(number: str, token: str | None = None) -> CheckedPhone:
        return CheckedPhone(client_transport(client, token), number)

    return make


@pytest.fixture
def world(session):
    coop = factories.cooperative(session)
    site = factories.site(session, coop, "SITE1")
    red = factories.site(session, coop, "REDSITE", status="red")
    group = factories.group(session, coop)
    member = factories.member(session, group, name="Amani Furaha", coop=coop, site=site)
    officer = factories.member(session, group, name="Neema Kahindo", roles="member,officer")
    buyer = factories.member(session, name="Baraka Lokana", roles="member,buyer", coop=coop)
    coordinator = factories.member(
        session, name="Jeanne Mave", roles="member,coordinator", coop=coop
    )
    shared = factories.phone()
    wife = factories.member(session, group, name="Furaha Dhedonga", number=shared, coop=coop)
    husband = factories.member(session, group, name="Dieudonne Dhedonga", number=shared)
    for person in (member, officer, buyer, coordinator, wife):
        pins.set_pin(session, person, PIN)
    session.commit()
    return SimpleNamespace(
        coop=coop,
        site=site,
        red=red,
        group=group,
        member=member,
        officer=officer,
        buyer=buyer,
        coordinator=coordinator,
        shared=shared,
        wife=wife,
        husband=husband,
    )
