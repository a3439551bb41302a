"""A buyer pays a miner her premium in cash over USSD: the code from her SMS, once."""

import datetime as dt

import pytest
from sqlalchemy import select

from ledger import gold, journal
from ledger.models import AccountKind, Payout, PayoutState
from ledger.premiums.approve import approve
from ledger.premiums.plan import plan_premium
from locales import LANGUAGES, translator
from locales.gsm7 import to_gsm7
from tests import factories
from tests.ussd.conftest import PIN, Words
from ussd.screens import payout as screens


@pytest.fixture(params=LANGUAGES)
def lang(request, session, world):
    world.buyer.language = request.param
    session.commit()
    return request.param


def _premium(session, world, *miners):
    lot = None
    for miner in miners:
        lot = gold.record_purchase(
            session, miner=miner, site=world.site, weight_mg=10_000, price_per_gram=95_00,
            currency="USD",
        ).lot.lot_number  # fmt: skip
    premium = plan_premium(
        session, cooperative=world.coop, amount=len(miners) * 12_50, currency="USD",
        basis="grams", lots=[lot],
    )  # fmt: skip
    codes = approve(session, premium, approver=None, on=dt.date.today()).codes
    session.commit()
    return {line.member_id: codes[line.id] for line in premium.lines}


def test_the_buyer_pays_with_her_code_once(session, phone, world, lang):
    other = factories.member(session, roles="miner", coop=world.coop, site=world.site)
    code = _premium(session, world, world.member, other)
    w = Words(lang)
    money = to_gsm7(translator(lang).money(12_50, "USD"))
    handset = phone(world.buyer.phone)
    assert w(screens.PAY_WHOM) in handset.walk("14", PIN)
    asked = handset.reply(world.member.phone)
    assert money in asked and w.head(screens.PAY_CODE) in asked
    assert w(screens.WRONG_CODE) in handset.reply(code[other.id])  # another miner's code
    assert w(screens.PAY_CODE_DIGITS) in handset.reply("12345")
    done = handset.reply(code[world.member.id])
    assert done.startswith("END ") and money in done
    session.expire_all()
    paid = session.scalar(select(Payout).where(Payout.member_id == world.member.id))
    assert paid.state == PayoutState.PAID and paid.paid_by == f"ussd:{world.buyer.id}"
    assert paid.attempts == 1  # the other miner's code counted as a wrong try
    assert (
        journal.balance(session, AccountKind.PREMIUM_PAYABLE, "USD", member_id=world.member.id) == 0
    )
    again = phone(world.buyer.phone)
    again.walk("14", PIN)
    nothing = again.reply(world.member.phone)
    assert w.head(screens.NOTHING_TO_PAY) in nothing
    assert w(screens.WRONG_CODE) in again.reply(code[world.member.id])  # used: pays nothing


def test_a_member_without_the_role_has_no_payout_menu(session, phone, world):
    _premium(session, world, world.member)
    handset = phone(world.officer.phone)
    menu = handset.walk()
    assert "13 " not in menu


def test_the_buyer_confirms_a_purchase_paid_by_mobile_money(session, phone, world):
    gold.post_price(session, world.coop, 95_50)
    session.commit()
    handset = phone(world.buyer.phone)
    handset.walk("8", PIN, world.member.phone, "1", "2", "1", "1")
    assert handset.reply("3").startswith("END ")
    session.expire_all()
    (payout,) = session.scalars(select(Payout)).all()
    assert (payout.amount, payout.state, payout.member_id) == (
        191_00,
        PayoutState.PENDING,
        world.member.id,
    )
