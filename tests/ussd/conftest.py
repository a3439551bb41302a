"""A small world of members with every role, and a phone that checks every screen."""

from __future__ import annotations

import re
import unicodedata
from string import Formatter
from types import SimpleNamespace

import pytest

from ledger import pins
from locales import LANGUAGES, translator
from locales.gsm7 import is_gsm7, to_gsm7
from tests import factories
from ussd.defaults import MAX_SCREEN_CHARS
from ussd.dial import Phone, client_transport
from ussd.screens.base import NO, YES

PIN = "2580"


class Words:
    """What a caller speaking ``lang`` reads for a msgid, as the phone shows it."""

    def __init__(self, lang: str):
        self.t = translator(lang)

    def __call__(self, msgid: str, **values: object) -> str:
        return to_gsm7(self.t.gettext(msgid, **values))

    def n(self, singular: str, plural: str, n: int, **values: object) -> str:
        return to_gsm7(self.t.ngettext(singular, plural, n, **values))

    def parts(self, msgid: str) -> list[str]:
        """The translated words around the placeholders (whatever their values)."""
        names = {name for _lit, name, _spec, _conv in Formatter().parse(msgid) if name}
        text = self.t.gettext(msgid, **dict.fromkeys(names, "\0"))
        return [to_gsm7(part) for part in text.split("\0")]

    def head(self, msgid: str) -> str:
        """The words before the first placeholder."""
        return self.parts(msgid)[0]

    def shown(self, msgid: str, screen: str) -> bool:
        """Every part of ``msgid`` is on ``screen``, in order."""
        at = 0
        for part in self.parts(msgid):
            at = screen.find(part, at)
            if at < 0:
                return False
            at += len(part)
        return True


def folded(word: str) -> str:
    """``Oui,`` -> ``oui``: a word as compared, without case, accents or punctuation."""
    plain = unicodedata.normalize("NFD", to_gsm7(word))
    return "".join(c for c in plain if c.isalnum()).lower()


def yes_no_keys(screen: str, languages=LANGUAGES) -> tuple[list[str], list[str]]:
    """The keys of the options a screen labels with the word for yes, and with the word for
    no, in ``languages`` ("1 Yes", "2 Yes, type the amount", "2 Hapana"...)."""
    yes = {folded(translator(lang).gettext(YES)) for lang in languages}
    no = {folded(translator(lang).gettext(NO)) for lang in languages}
    yes_keys, no_keys = [], []
    for line in screen.split("\n"):
        option = re.fullmatch(r"(\d+) (\S+).*", line)
        if option:
            key, word = option[1], folded(option[2])
            if word in yes:
                yes_keys.append(key)
            elif word in no:
                no_keys.append(key)
    return yes_keys, no_keys


def check_answer(answer: str) -> str:
    """Every answer is CON/END and a screen a feature phone shows whole; where it offers yes
    or no, yes is 1 and no is 2 (a thumb used to "1 = yes" must never skip a step)."""
    assert answer.startswith(("CON ", "END ")), answer
    screen = answer[4:]
    assert screen.strip(), answer
    assert len(screen) <= MAX_SCREEN_CHARS, (len(screen), screen)
    assert is_gsm7(screen), screen
    yes_keys, no_keys = yes_no_keys(screen)
    assert set(yes_keys) <= {"1"} and set(no_keys) <= {"2"}, screen
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
