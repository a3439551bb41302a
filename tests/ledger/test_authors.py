"""Who did it: rows a person's action creates are recorded as theirs; the system's own work
is recorded as nobody's; a page can name the author."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from api.tokens import create_token
from ledger import authors, gold, loans
from ledger.authors import Author
from ledger.meetings import MeetingRecord as R
from ledger.meetings import record_meeting
from ledger.models import ApiRole, Entry, Loan, Meeting, PricePost, Purchase
from tests import factories

START = dt.date(2025, 1, 6)


def test_rows_created_while_acting_are_recorded_as_the_author(session):
    group = factories.group(session)
    officer = factories.member(session, group, name="Mapendo Ngabo", roles="member,officer")
    saver = factories.member(session, group)
    authors.record_as(session, Author("console", officer.id))
    record_meeting(session, group, START, [saver], [R(saver, shares=5)])
    loans.disburse(session, group, saver, 1000_00, 1, START)
    session.commit()
    tags = {e.recorded_by for e in session.scalars(select(Entry))}
    assert tags == {f"console:{officer.id}"}
    assert session.scalar(select(Meeting.recorded_by)) == f"console:{officer.id}"
    assert session.scalar(select(Loan.recorded_by)) == f"console:{officer.id}"
    assert authors.label(session, f"console:{officer.id}") == "Mapendo Ngabo (console)"
    assert authors.current(session) == Author("console", officer.id)


def test_the_systems_own_work_is_nobodys(session):
    group = factories.group(session)
    saver = factories.member(session, group)
    authors.record_as(session, Author("ussd", saver.id))
    authors.record_as(session, None)
    record_meeting(session, group, START, [saver], [R(saver, shares=1)])
    session.commit()
    assert {e.recorded_by for e in session.scalars(select(Entry))} == {None}
    assert authors.label(session, None) is None


def test_an_explicit_author_is_kept(session):
    coop = factories.cooperative(session)
    coordinator = factories.member(session, roles="member,coordinator", coop=coop)
    authors.record_as(session, Author("ussd", coordinator.id))
    post = PricePost(cooperative_id=coop.id, usd_per_gram=9550, recorded_by="token:7")
    session.add(post)
    session.flush()
    assert post.recorded_by == "token:7"


def test_the_api_records_the_token(session, client):
    coop = factories.cooperative(session)
    site = factories.site(session, coop)
    miner = factories.member(session, roles="member,miner", coop=coop, site=site)
    token, secret = create_token(session, "Buyer Mongbwalu", ApiRole.BUYER, cooperative=coop)
    session.commit()
    answer = client.post(
        "/api/v1/purchases",
        json={
            "miner_id": miner.id,
            "site": site.code,
            "weight_grams": "2.5",
            "price_per_gram": "95.50",
            "currency": "USD",
        },
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert answer.status_code == 201, answer.get_json()
    session.expire_all()
    purchase = session.scalar(select(Purchase))
    assert purchase.recorded_by == f"token:{token.id}"
    entry = session.get(Entry, purchase.entry_id)
    assert entry.recorded_by == f"token:{token.id}"
    assert authors.label(session, purchase.recorded_by) == "API: Buyer Mongbwalu"


@pytest.mark.parametrize("tag", ["", "ussd", "ussd:", "ussd:x", "ussd:0", "mail:3", "token:-1"])
def test_tags_that_name_nobody(session, tag):
    assert Author.parse(tag) is None
    assert authors.label(session, tag) is None


def test_a_gold_purchase_records_the_buyer_who_dialled(session):
    coop = factories.cooperative(session)
    site = factories.site(session, coop)
    miner = factories.member(session, roles="member,miner", coop=coop, site=site)
    buyer = factories.member(session, roles="member,buyer", coop=coop)
    authors.record_as(session, Author("ussd", buyer.id))
    purchase = gold.record_purchase(
        session, miner=miner, site=site, weight_mg=1000, price_per_gram=9550, currency="USD"
    )
    session.flush()
    assert purchase.recorded_by == f"ussd:{buyer.id}"
