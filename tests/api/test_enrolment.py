"""``POST /api/v1/members/{member_id}/enrolment-code``: who may issue a code, what the
answer holds, and that the code is never kept (not even for an Idempotency-Key replay)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import func, select

from ledger import enrolment, pins
from ledger.models import EnrolmentCode, IdempotentRequest, utcnow


def path(member_id) -> str:
    return f"/members/{member_id}/enrolment-code"


@pytest.mark.parametrize("who", ["coordinator", "officer"])
def test_a_coordinator_or_the_members_officer_gets_a_code(api, world, session, who):
    member = world.members[0]
    answer = api("POST", path(member.id), as_=who)
    assert answer.status_code == 201, answer.get_json()
    body = answer.get_json()
    assert set(body) == {"member_id", "code", "expires_at", "sms"}
    assert body["member_id"] == member.id and re.fullmatch(r"\d{6}", body["code"])
    assert body["sms"] is True  # the member's phone is theirs alone
    expires = dt.datetime.fromisoformat(body["expires_at"].removesuffix("Z"))
    assert body["expires_at"].endswith("Z")
    assert dt.timedelta(hours=23) < expires - utcnow() <= dt.timedelta(hours=24)
    assert answer.headers["Cache-Control"] == "no-store"
    session.expire_all()
    assert enrolment.check_code(session, member, body["code"]) is not None


@pytest.mark.parametrize("who", ["buyer", "buyer_other"])
def test_buyers_may_not(api, world, who):
    answer = api("POST", path(world.members[0].id), as_=who)
    assert answer.status_code == 403


def test_no_token_no_code(api, world):
    assert api("POST", path(world.members[0].id), as_=None).status_code == 401


@pytest.mark.parametrize("member_id", ["999999", "abc", "-1", "1e3", "٣", "0", "1" * 40])
def test_unknown_ids_are_404(api, world, member_id):
    answer = api("POST", path(member_id))
    assert answer.status_code == 404 and answer.get_json()["code"] == "unknown_member"


def test_out_of_scope_is_the_same_404_with_no_name(api, world, session):
    """An officer of another group learns nothing: not even that the member exists."""
    member = world.members[0]
    theirs = api("POST", path(member.id), as_="officer_other")
    unknown = api("POST", path(999_999), as_="officer_other")
    assert theirs.status_code == unknown.status_code == 404
    assert theirs.get_json() == unknown.get_json()
    assert member.name not in theirs.get_data(as_text=True)
    miner = api("POST", path(world.miner.id), as_="officer")  # in no group at all
    assert miner.status_code == 404
    assert session.scalar(select(func.count()).select_from(EnrolmentCode)) == 0


def test_the_code_is_never_stored_even_with_an_idempotency_key(api, world, session):
    member = world.members[0]
    key = {"Idempotency-Key": "enrol-1"}
    first = api("POST", path(member.id), headers=key).get_json()["code"]
    second = api("POST", path(member.id), headers=key).get_json()["code"]
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(IdempotentRequest)) == 0
    rows = list(session.scalars(select(EnrolmentCode).order_by(EnrolmentCode.id)))
    assert len(rows) == 2 and rows[0].voided_at is not None and rows[1].voided_at is None
    assert all(code not in row.code_hash for row in rows for code in (first, second))
    # the retry issued a new code, which voided the first
    if first != second:
        assert enrolment.check_code(session, member, first) is None
    assert enrolment.check_code(session, member, second) is not None


def test_a_member_with_a_pin_is_refused(api, world, session):
    member = world.members[1]
    pins.set_pin(session, member, "2580")
    session.commit()
    answer = api("POST", path(member.id))
    assert answer.status_code == 422 and answer.get_json()["code"] == "has_pin"


@pytest.mark.parametrize(
    "raw, status",
    [('{"sms": false}', 422), ("[]", 400), ("not json", 400), ("{}", 201), ("", 201)],
)
def test_the_body_is_empty_or_an_empty_object(api, world, raw, status):
    assert api("POST", path(world.members[2].id), raw=raw).status_code == status
