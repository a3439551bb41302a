"""Scopes are the API's: an officer sees and writes only her group, a buyer only his
cooperative's prices and flags, a coordinator only their cooperative. Out of scope is 404,
the answer for what does not exist."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from ledger.models import Meeting, PricePost
from tests import factories
from tests.console.conftest import csrf

#: (who, path) -> status: what each staff member reaches.
GETS = [
    ("officer", "/console/groups/VSLA1", 200),
    ("officer", "/console/groups/VSLA2", 404),
    ("officer", "/console/groups/NOSUCH", 404),
    ("officer", "/console/groups/VSLA2/meeting", 404),
    ("officer", "/console/groups/VSLA1/share-out", 200),
    ("officer", "/console/groups/VSLA1/loans", 200),
    ("officer", "/console/groups/VSLA2/share-out", 404),
    ("officer", "/console/groups/VSLA2/loans", 404),
    ("officer_other", "/console/groups/VSLA1/share-out", 404),
    ("buyer", "/console/groups/VSLA1/loans", 404),
    ("coordinator", "/console/groups/VSLA1/share-out", 200),
    ("coordinator", "/console/groups/VSLA2/share-out", 404),
    ("coordinator", "/console/groups/VSLA2/loans", 404),
    ("officer", "/console/prices", 404),
    ("officer", "/console/flags", 404),
    ("officer_other", "/console/groups/VSLA1", 404),
    ("buyer", "/console/groups", 404),
    ("buyer", "/console/groups/VSLA1", 404),
    ("buyer", "/console/prices", 200),
    ("buyer", "/console/flags", 200),
    ("coordinator", "/console/groups/VSLA1", 200),
    ("coordinator", "/console/groups/VSLA2", 404),  # another cooperative's group
    ("officer", "/console/purchases", 404),
    ("officer", "/console/lots", 404),
    ("officer", "/console/messages", 404),
    ("officer", "/console/reports", 200),
    ("officer", "/console/reports/groups/VSLA1?format=csv", 200),
    ("officer", "/console/reports/groups/VSLA2?format=csv", 404),
    ("officer", "/console/reports/cooperatives/COOPBUNIA?format=csv", 404),
    ("buyer", "/console/purchases", 200),
    ("buyer", "/console/messages", 404),
    ("buyer", "/console/reports/cooperatives/COOPBUNIA?format=xlsx", 200),
    ("buyer", "/console/reports/cooperatives/COOPMAMBASA?format=csv", 404),
    ("buyer", "/console/lots/NOSUCH", 404),
    ("coordinator", "/console/messages", 200),
    ("coordinator", "/console/messages/inbound", 200),
    ("coordinator", "/console/reports/cooperatives/COOPMAMBASA?format=csv", 404),
    ("coordinator", "/console/sites", 200),
    ("coordinator", "/console/sites/SITE1", 200),
    ("buyer", "/console/sites/SITE1", 200),
    ("buyer_other", "/console/sites/SITE1", 404),
    ("officer", "/console/sites", 404),
    ("officer", "/console/sites/SITE1", 404),
    ("officer", "/console/flags/1", 404),
    ("buyer", "/console/sites/NOSUCH", 404),
    ("buyer", "/console/lots/NOSUCH/record", 404),
]


@pytest.mark.parametrize(("who", "path", "status"), GETS)
def test_pages_in_and_out_of_scope(as_, who, path, status):
    assert as_(who).get(path).status_code == status


def test_members_out_of_scope_are_unknown(as_, world):
    outsider, own = world.outsider.id, world.members[0].id
    officer = as_("officer")
    assert officer.get(f"/console/members/{own}").status_code == 200
    assert officer.get(f"/console/members/{outsider}").status_code == 404
    assert officer.get("/console/members/999999").status_code == 404
    assert world.outsider.name not in officer.get("/console/members").text
    coordinator = as_("coordinator")
    assert coordinator.get(f"/console/members/{outsider}").status_code == 404
    page = coordinator.get(f"/console/members/{own}").text
    assert world.members[0].phone in page


def test_a_buyer_sees_members_minimally(as_, world):
    buyer = as_("buyer")
    page = buyer.get(f"/console/members/{world.members[0].id}")
    assert page.status_code == 200
    assert world.members[0].phone not in page.text
    assert world.members[0].phone not in buyer.get("/console/members").text
    form = buyer.get(f"/console/members/{world.members[0].id}").text
    answer = buyer.post(
        f"/console/members/{world.members[0].id}/code", data={"csrf_token": csrf(form)}
    )
    assert answer.status_code == 404  # a buyer issues no enrolment code
    assert as_("buyer_other").get(f"/console/members/{world.members[0].id}").status_code == 404


def test_only_a_coordinator_of_the_cooperative_posts_its_price(as_, session, world):
    def post(client, coop):
        page = client.get("/console/prices").text
        data = {"cooperative": coop, "usd_per_gram": "90", "confirm": "1"}
        return client.post("/console/prices", data={**data, "csrf_token": csrf(page)})

    assert post(as_("buyer"), "COOPBUNIA").status_code == 404
    assert post(as_("coordinator"), "COOPMAMBASA").status_code == 404
    assert post(as_("coordinator"), "NOSUCH").status_code == 404
    assert session.scalar(select(func.count()).select_from(PricePost)) == 0
    assert post(as_("coordinator"), "COOPBUNIA").status_code == 302
    assert session.scalar(select(func.count()).select_from(PricePost)) == 1


def test_an_officer_records_no_meeting_of_another_group(as_, session, world):
    officer = as_("officer")
    page = officer.get("/console/groups/VSLA1/meeting").text
    answer = officer.post(
        "/console/groups/VSLA2/meeting",
        data={"csrf_token": csrf(page), "key": "a" * 32, "date": "2026-01-01"},
    )
    assert answer.status_code == 404
    assert session.scalar(select(func.count()).select_from(Meeting)) == 0


def test_purchases_lots_and_exports_keep_to_the_cooperative(as_, session, world):
    from ledger import gold

    buyer = world.staff["buyer"]
    miner = factories.member(session, roles="member,miner", site=world.site, coop=world.coop)
    other_site = factories.site(session, world.other_coop, "SITE9")
    other_miner = factories.member(
        session, roles="member,miner", site=other_site, coop=world.other_coop, name="Far Away"
    )
    mine = gold.record_purchase(
        session, miner=miner, site=world.site, weight_mg=2_500, price_per_gram=9_000,
        currency="USD", buyer=buyer,
    )  # fmt: skip
    theirs = gold.record_purchase(
        session, miner=other_miner, site=other_site, weight_mg=1_000, price_per_gram=9_000,
        currency="USD",
    )  # fmt: skip
    session.commit()
    client = as_("buyer")
    page = client.get("/console/purchases").text
    assert mine.receipt_number in page and theirs.receipt_number not in page
    assert miner.phone not in page  # a buyer sees sellers by name only
    csv_ = client.get("/console/purchases?format=csv")
    assert csv_.mimetype == "text/csv" and csv_.data.startswith(b"\xef\xbb\xbf")
    assert mine.receipt_number in csv_.text and theirs.receipt_number not in csv_.text
    xlsx = client.get("/console/purchases?format=xlsx&miner=nobody")
    assert xlsx.data[:2] == b"PK"
    assert client.get(f"/console/lots/{mine.lot.lot_number}").status_code == 200
    assert client.get(f"/console/lots/{theirs.lot.lot_number}").status_code == 404
    bad = client.get("/console/purchases?since=2026-02-30")
    assert bad.status_code == 422 and 'aria-invalid="true"' in bad.text
