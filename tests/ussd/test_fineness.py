"""The buyer's optional fineness step: typed in thousandths (925) or as a fraction (0#925),
"1" goes on without one; the purchase keeps it, the confirmation shows it, and every screen
fits in each of the four languages (the phone checks each answer)."""

from decimal import Decimal

import pytest
from sqlalchemy import select

from ledger import gold
from ledger.models import Purchase
from locales import LANGUAGES, translator
from locales.gsm7 import to_gsm7
from tests.ussd.conftest import PIN, Words
from ussd.screens.buyer import ASK_FINENESS, FINENESS_LINE

ASK_WEIGHT = "Weight in grams:\n(12#5 = 12.5 g)"


@pytest.fixture(params=LANGUAGES)
def lang(request, session, world):
    world.buyer.language = request.param
    gold.post_price(session, world.coop, 95_50)
    session.commit()
    return request.param


def _purchase(session) -> Purchase:
    session.expire_all()
    (purchase,) = session.scalars(select(Purchase)).all()
    return purchase


@pytest.mark.parametrize(("typed", "ppm"), [("925", 925_000), ("0#9255", 925_500), ("1000", 10**6)])
def test_the_buyer_gives_the_fineness(session, phone, world, lang, typed, ppm):
    w = Words(lang)
    handset = phone(world.buyer.phone)
    asked = handset.walk("8", PIN, world.member.phone, "1", "5")
    assert asked.startswith("CON " + w(ASK_FINENESS))
    handset.reply(typed)
    confirm = handset.reply("1")  # the posted price
    shown = translator(lang).number(Decimal(ppm).scaleb(-3))
    assert w(FINENESS_LINE, fineness=shown) in confirm or to_gsm7(shown) in confirm
    assert w.head(FINENESS_LINE) in confirm
    assert handset.reply("1").startswith("END ")
    assert _purchase(session).fineness_ppm == ppm


def test_one_skips_the_step_and_the_fineness_stays_unknown(session, phone, world, lang):
    w = Words(lang)
    handset = phone(world.buyer.phone)
    confirm = handset.walk("8", PIN, world.member.phone, "1", "5", "1", "1")
    assert w.head(FINENESS_LINE) not in confirm
    handset.reply("1")
    assert _purchase(session).fineness_ppm is None


@pytest.mark.parametrize("typed", ["5", "92", "92#5", "0#05", "1001", "abc", "0#9999999"])
def test_a_fineness_that_cannot_be_is_refused_on_the_same_screen(
    session, phone, world, lang, typed
):
    w = Words(lang)
    handset = phone(world.buyer.phone)
    handset.walk("8", PIN, world.member.phone, "1", "5")
    again = handset.reply(typed)
    assert again.startswith("CON ") and w(ASK_FINENESS) in again
    assert w("Fineness is 100 to 1000.") in again or w("Type a number.") in again


def test_zero_still_goes_back_to_the_weight(session, phone, world):
    w = Words(world.buyer.language)
    handset = phone(world.buyer.phone)
    handset.walk("8", PIN, world.member.phone, "1", "5")
    assert handset.reply("0").startswith("CON " + w(ASK_WEIGHT))
