"""A buyer on the phone: a site red now (rated red, or yellow past its deadline) is not offered,
and a site downgraded while the buyer confirms refuses the purchase in the buyer's language."""

import datetime as dt

import pytest
from sqlalchemy import func, select

from ledger import gold, sites
from ledger.models import Purchase
from locales import LANGUAGES
from tests import factories
from tests.ussd.conftest import PIN, Words


@pytest.fixture(params=LANGUAGES)
def lang(request, session, world):
    world.buyer.language = request.param
    world.member.roles, world.member.id_document = "member,miner", "CD-ITU-00001"
    session.commit()
    return request.param


def test_a_site_downgraded_while_the_buyer_confirms_refuses_the_purchase(
    session, phone, world, lang
):
    handset = phone(world.buyer.phone)
    confirm = handset.walk("8", PIN, world.member.phone, "1", "5", "1", "95")
    assert confirm.startswith("CON ")
    today = gold.local_day()
    sites.change_status(session, world.site, "red", inspected_on=today, today=today)
    session.commit()
    refused = handset.reply("1")
    assert Words(lang)("Red site: no purchases.") in refused
    assert session.scalar(select(func.count()).select_from(Purchase)) == 0


def test_a_yellow_site_past_its_deadline_is_not_offered(session, phone, world, lang):
    late = factories.site(session, world.coop, "LATE")
    today = gold.local_day()
    sites.change_status(
        session,
        late,
        "yellow",
        inspected_on=today - dt.timedelta(days=100),
        today=today,
        deadline=today - dt.timedelta(days=1),
    )
    session.commit()
    listed = phone(world.buyer.phone).walk("8", PIN, world.member.phone)
    assert "Mine SITE1" in listed and "LATE" not in listed and "REDSITE" not in listed
