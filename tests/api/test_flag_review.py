"""`PATCH /api/v1/flags/{id}` and `GET /api/v1/flags?status=open`: a coordinator confirms or
dismisses; buyers, officers and forged ids change nothing."""

from __future__ import annotations

import pytest

from ledger import gold
from ledger.models import Flag, FlagStatus
from tests import factories
from tests.api.test_gold import purchase_body


@pytest.fixture
def flag(api, world, session):
    gold.post_price(session, world.coop, 100_00)
    session.commit()
    answer = api("POST", "/purchases", purchase_body(world, price_per_gram="80"), as_="buyer")
    assert "underpayment" in [f["kind"] for f in answer.get_json()["flags"]]
    return session.query(Flag).filter_by(kind="underpayment").one()


def test_a_coordinator_dismisses_and_the_open_list_no_longer_shows_it(api, world, flag):
    listed = api("GET", "/flags?status=open", as_="buyer").get_json()["flags"]
    assert flag.id in [f["id"] for f in listed]
    assert all(f["status"] == "open" for f in listed)
    answer = api("PATCH", f"/flags/{flag.id}", {"status": "dismissed", "note": "wet gold"})
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert body["status"] == "dismissed" and body["review"]["note"] == "wet gold"
    assert body["review"]["by"] == f"token:{world.token_ids['coordinator']}"
    assert flag.id not in [f["id"] for f in api("GET", "/flags?status=open").get_json()["flags"]]
    dismissed = api("GET", "/flags?status=dismissed").get_json()["flags"]
    assert [f["id"] for f in dismissed] == [flag.id]


def test_confirm_then_open_again(api, world, flag):
    assert api("PATCH", f"/flags/{flag.id}", {"status": "confirmed"}).get_json()["status"] == (
        "confirmed"
    )
    assert api("PATCH", f"/flags/{flag.id}", {"status": "open"}).get_json()["status"] == "open"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"status": "dismissed"}, "note"),
        ({"status": "closed"}, "status"),
        ({}, "status"),
        ({"status": "confirmed", "why": "x"}, "why"),
    ],
)
def test_bad_reviews_are_422_and_change_nothing(api, world, session, flag, body, field):
    answer = api("PATCH", f"/flags/{flag.id}", body)
    assert answer.status_code == 422 and answer.get_json()["field"] == field
    session.expire_all()
    assert session.get(Flag, flag.id).status == FlagStatus.OPEN


@pytest.mark.parametrize("who", ["buyer", "buyer_other", "officer"])
def test_only_a_coordinator_reviews(api, world, session, flag, who):
    answer = api("PATCH", f"/flags/{flag.id}", {"status": "dismissed", "note": "x"}, as_=who)
    assert answer.status_code == 403
    session.expire_all()
    assert session.get(Flag, flag.id).status == FlagStatus.OPEN


@pytest.mark.parametrize("forged", ["999999", "0", "-1", "abc", "1e3", "99999999999999999999"])
def test_forged_ids_are_404(api, world, flag, forged):
    answer = api("PATCH", f"/flags/{forged}", {"status": "confirmed"})
    assert answer.status_code == 404 and answer.get_json()["code"] == "unknown_flag"


def test_a_bad_status_filter_is_422(api, world):
    answer = api("GET", "/flags?status=closed")
    assert answer.status_code == 422 and answer.get_json()["field"] == "status"


def test_a_group_box_count_flag_is_reviewed_by_a_coordinator(api, world, session):
    """A savings group's own flag has no cooperative of its own: its group's is used. The
    officer who counted the box never closes it."""
    flag = factories.box_count_flag(session, world.group)
    for who in ("officer", "buyer"):
        refused = api("PATCH", f"/flags/{flag.id}", {"status": "dismissed", "note": "x"}, as_=who)
        assert refused.status_code == 403
    answer = api("PATCH", f"/flags/{flag.id}", {"status": "confirmed", "note": "500 FC short"})
    assert answer.status_code == 200, answer.get_json()
    session.expire_all()
    assert session.get(Flag, flag.id).status == FlagStatus.CONFIRMED
