"""What a token learns about members outside its scope: nothing. An id or phone outside the
scope gets the answer an unknown one gets (no existence oracle), refusals carry no names,
a buyer sees members minimally, and writes never reach past the scope."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from ledger.models import Entry, Member, Purchase
from tests import factories
from tests.api.conftest import ROLES

C, OF, OO, B, BO = ROLES

#: A phone that belongs to nobody in the world.
NOBODY = "+243819999999"


@pytest.fixture
def outsiders(world, session):
    """A member of the other group (same cooperative), and a miner of the other cooperative."""
    other = factories.member(
        session, world.other_group, name="Zawadi Outsider", language="ln", roles="member,officer"
    )
    far = factories.member(
        session, name="Kambale Mambasa", roles="member,miner", coop=world.other_coop
    )
    session.commit()
    return other, far


def same_refusal(unknown, outside, unknown_ref: str, outside_ref: str) -> None:
    """Two refusals that differ only by the reference the client sent."""
    assert outside.status_code == unknown.status_code
    left = outside.get_json()
    right = unknown.get_json()
    assert left["code"] == right["code"]
    assert left.get("field") == right.get("field")
    assert left["error"].replace(outside_ref, "REF") == right["error"].replace(unknown_ref, "REF")


def names_absent(answer, *members: Member) -> None:
    text = answer.get_data(as_text=True)
    for member in members:
        for word in member.name.split():
            assert word not in text, (word, text)


# -- lookups in the path: scope first, and the same 404 as an unknown member --------------------


@pytest.mark.parametrize("method", ["GET", "PATCH"])
@pytest.mark.parametrize("tail", ["", "/statement"])
def test_a_member_outside_the_officers_group_is_404_like_an_unknown_one(
    api, world, outsiders, method, tail
):
    if method == "PATCH" and tail:
        return
    other, _ = outsiders
    body = {"language": "fr"} if method == "PATCH" else None
    unknown = api(method, f"/members/{NOBODY}{tail}", body, as_=OF)
    outside = api(method, f"/members/{other.phone}{tail}", body, as_=OF)
    assert unknown.status_code == 404
    same_refusal(unknown, outside, NOBODY, other.phone)
    names_absent(outside, other)


def test_member_id_outside_the_scope_is_404_like_an_unknown_id(api, world, outsiders, session):
    other, _ = outsiders
    mine = world.members[0]
    unknown_id = session.scalar(select(func.max(Member.id))) + 1000
    for ref in (mine.phone, other.phone):
        unknown = api("GET", f"/members/{ref}?member_id={unknown_id}", as_=OF)
        outside = api("GET", f"/members/{ref}?member_id={other.id}", as_=OF)
        assert unknown.status_code == 404
        same_refusal(unknown, outside, str(unknown_id), str(other.id))
        names_absent(outside, other)
    # The listing answers the same empty list for both.
    assert api("GET", "/members", query={"member_id": other.id}, as_=OF).get_json() == {
        "members": []
    }
    assert api("GET", "/members", query={"member_id": unknown_id}, as_=OF).get_json() == {
        "members": []
    }


def test_a_shared_phone_counts_only_members_in_scope(api, world, session):
    mine = world.members[0]
    factories.member(session, world.other_group, number=mine.phone, name="Relative Outsider")
    session.commit()
    # Within the officer's scope the phone names one member: no 409 that counts the relative.
    answer = api("GET", f"/members/{mine.phone}", as_=OF)
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["id"] == mine.id


# -- lookups in a body: out of scope is unknown, and refusals carry no names ------------------


def _meeting(key: str, ref: int | str) -> dict:
    if key == "present":
        return {"date": "2025-01-06", "present": [ref]}
    named = "member_id" if isinstance(ref, int) else "phone"
    return {"date": "2025-01-06", "records": [{named: ref, "shares": 1}]}


@pytest.mark.parametrize("key", ["present", "records"])
def test_an_officer_naming_an_outsider_at_a_meeting_learns_nothing(
    api, world, outsiders, session, key
):
    other, _ = outsiders
    for ref_out, ref_unknown in ((other.phone, NOBODY), (other.id, 99_999_999)):
        outside = api("POST", "/groups/VSLA1/meetings", _meeting(key, ref_out), as_=OF)
        unknown = api("POST", "/groups/VSLA1/meetings", _meeting(key, ref_unknown), as_=OF)
        assert unknown.status_code == 422, unknown.get_json()
        same_refusal(unknown, outside, str(ref_unknown), str(ref_out))
        names_absent(outside, other)
    assert session.scalar(select(func.count()).select_from(Entry)) == 0


def test_a_coordinator_is_told_the_member_is_elsewhere_without_a_name(api, world, outsiders):
    other, _ = outsiders
    answer = api("POST", "/groups/VSLA1/meetings", {"date": "2025-01-06", "present": [other.phone]})
    assert answer.status_code == 422
    assert answer.get_json()["code"] == "other_group"
    names_absent(answer, other)


# -- members: an officer writes only inside the group, and omitted fields stay ------------------


@pytest.mark.parametrize("who", ["other_group", "no_group"])
def test_an_officer_post_matching_someone_outside_the_group_is_403_and_writes_nothing(
    api, world, outsiders, session, who
):
    target = outsiders[0] if who == "other_group" else world.miner
    before = (target.group_id, target.roles, target.language, target.gender, target.site_id)
    answer = api(
        "POST",
        "/members",
        {"phone": target.phone, "name": target.name.upper(), "gender": "M"},
        as_=OF,
    )
    assert answer.status_code == 403, answer.get_json()
    assert answer.get_json()["code"] == "forbidden"
    names_absent(answer, target)
    session.expire_all()
    again = session.get(Member, target.id)
    assert (again.group_id, again.roles, again.language, again.gender, again.site_id) == before


def test_an_officer_post_updates_a_member_of_the_group(api, world, session):
    mine = world.members[0]
    answer = api(
        "POST", "/members", {"phone": mine.phone, "name": mine.name, "gender": "M"}, as_=OF
    )
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["gender"] == "M"


def test_a_post_without_roles_or_language_keeps_them(api, world, session):
    body = {"phone": "0812345678", "name": "Furaha", "gender": "F", "group": "VSLA1"}
    created = api("POST", "/members", {**body, "roles": ["officer"], "language": "fr"})
    assert created.status_code == 201
    again = api("POST", "/members", body)
    assert again.status_code == 200
    assert again.get_json()["roles"] == ["member", "officer"]
    assert again.get_json()["language"] == "fr"
    # A new member without them gets the defaults.
    fresh = api("POST", "/members", {**body, "name": "Neema"})
    assert (fresh.get_json()["roles"], fresh.get_json()["language"]) == (["member"], "sw")


def test_a_csv_reimport_keeps_what_it_leaves_out(api, world, session):
    full = "phone,name,gender,language,group,roles\n0812345678,Furaha,F,fr,VSLA1,officer\n"
    assert api("POST", "/members/import", raw=full, content_type="text/csv").status_code == 200
    for partial in (
        "phone,name,gender,group\n0812345678,Furaha,F,VSLA1\n",
        "phone,name,gender,language,group,roles\n0812345678,Furaha,F,,VSLA1,\n",
    ):
        answer = api("POST", "/members/import", raw=partial, content_type="text/csv")
        assert answer.get_json()["updated"] == 1, answer.get_json()
        member = api("GET", "/members/0812345678").get_json()
        assert (member["roles"], member["language"]) == (["member", "officer"], "fr")


# -- buyers: a minimal view, and only miners of their own cooperative ---------------------------


MINIMAL = {"id", "name", "site"}


@pytest.mark.parametrize(("role", "minimal"), [(C, False), (OF, False), (B, True)])
def test_a_buyer_sees_members_minimally(api, world, role, minimal):
    phone = world.members[0].phone if role == OF else world.miner.phone
    (listed,) = api("GET", "/members", query={"phone": phone}, as_=role).get_json()["members"]
    if minimal:
        assert set(listed) == MINIMAL
        assert listed["site"] == "SITE1"
    else:
        assert {"phone", "gender", "id_document", "roles"} <= set(listed)


def test_a_buyer_names_no_miner_of_another_cooperative(api, world, outsiders, session):
    _, far = outsiders
    body = {
        "site": "SITE1",
        "weight_grams": "1.5",
        "price_per_gram": "95.50",
        "currency": "USD",
    }
    for field, out_ref, unknown_ref in (
        ("miner_id", far.id, 99_999_999),
        ("miner", far.id, 99_999_999),
        ("miner", far.phone, NOBODY),
    ):
        outside = api("POST", "/purchases", {**body, field: out_ref}, as_=B)
        unknown = api("POST", "/purchases", {**body, field: unknown_ref}, as_=B)
        assert unknown.status_code == 422, unknown.get_json()
        same_refusal(unknown, outside, str(unknown_ref), str(out_ref))
        names_absent(outside, far)
    # A member of the other group of the same cooperative is a seller the buyer may name.
    assert (
        api("POST", "/purchases", {**body, "miner_id": outsiders[0].id}, as_=B).status_code == 201
    )
    assert session.scalar(select(func.count()).select_from(Purchase)) == 1


def test_a_purchase_answer_to_a_buyer_carries_no_phone(api, world):
    body = {
        "miner": world.miner.phone,
        "site": "SITE1",
        "weight_grams": "1.5",
        "price_per_gram": "95.50",
        "currency": "USD",
    }
    bought = api("POST", "/purchases", body, as_=B)
    assert bought.status_code == 201
    assert set(bought.get_json()["miner"]) == {"id", "name"}
    assert world.miner.phone not in bought.get_data(as_text=True)
    receipt = bought.get_json()["receipt_number"]
    read = api("GET", f"/purchases/{receipt}", as_=B)
    assert world.miner.phone not in read.get_data(as_text=True)
    assert api("GET", f"/purchases/{receipt}").get_json()["miner"]["phone"] == world.miner.phone
