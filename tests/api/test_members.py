"""Members through the API: create, read, correct, shared phones, the CSV import."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from ledger.models import Member, MemberStatus
from tests import factories


def count(session) -> int:
    session.rollback()
    return session.scalar(select(func.count()).select_from(Member))


def test_create_then_update_by_phone_and_name(api, world, session):
    body = {
        "phone": "081 234 5678",
        "name": "Furaha  Kahindo",
        "gender": "female",
        "language": "LN",
        "group": "vsla1",
        "site": "SITE1",
        "roles": ["miner"],
        "id_document": "CD-123",
    }
    created = api("POST", "/members", body)
    assert created.status_code == 201, created.get_json()
    member = created.get_json()
    assert member | {"id": 0, "joined_on": None} == {
        "id": 0,
        "phone": "+243812345678",
        "name": "Furaha Kahindo",
        "gender": "F",
        "language": "ln",
        "roles": ["member", "miner"],
        "status": "active",
        "group": "VSLA1",
        "cooperative": "COOPBUNIA",
        "site": "SITE1",
        "id_document": "CD-123",
        "opted_out": False,
        "joined_on": None,
        "left_on": None,
    }
    again = api("POST", "/members", {**body, "language": "fr", "name": "furaha kahindo"})
    assert again.status_code == 200
    assert again.get_json()["id"] == member["id"]
    assert again.get_json()["language"] == "fr"
    assert count(session) == 5
    assert api("GET", "/members/0812345678").get_json()["language"] == "fr"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"phone": "12345"}, "phone"),
        ({"phone": 812345678}, "phone"),
        ({"phone": "0" * 33}, "phone"),
        ({"name": ""}, "name"),
        ({"name": "x" * 81}, "name"),
        ({"name": "x" * 5000}, None),  # refused before any field rule: too long a string
        ({"name": "a\u0000b"}, None),
        ({"name": "\ud800"}, None),
        ({"gender": "X"}, "gender"),
        ({"gender": ["F"]}, "gender"),
        ({"language": "de"}, "language"),
        ({"group": "NOPE"}, "group"),
        ({"group": 1}, "group"),
        ({"site": "NOPE"}, "site"),
        ({"cooperative": "COOPMAMBASA", "site": "SITE1"}, "site"),
        ({"roles": ["king"]}, "roles"),
        ({"roles": {"a": 1}}, "roles"),
        ({"id_document": "x" * 81}, "id_document"),
        ({"age": 30}, "age"),
    ],
)
def test_create_refusals(api, world, session, changes, field):
    body = {"phone": "0812345678", "name": "Furaha", "gender": "F", **changes}
    before = count(session)
    answer = api("POST", "/members", body)
    assert answer.status_code == 422, answer.get_json()
    assert answer.get_json().get("field") == field
    assert count(session) == before


def test_patch(api, world, session):
    a = world.members[0]
    old_phone = a.phone
    answer = api(
        "PATCH",
        f"/members/{old_phone}",
        {
            "name": "Amani Zawadi",
            "phone": "0991234567",
            "language": "fr",
            "opted_out": True,
            "roles": "member,officer",
        },
        as_="officer",
    )
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert (body["name"], body["phone"], body["language"], body["opted_out"]) == (
        "Amani Zawadi",
        "+243991234567",
        "fr",
        True,
    )
    assert body["roles"] == ["member", "officer"]
    assert api("GET", f"/members/{old_phone}").status_code == 404
    left = api("PATCH", "/members/0991234567", {"status": "inactive"}).get_json()
    assert left["status"] == "inactive" and left["left_on"]
    session.refresh(a)
    assert a.status == MemberStatus.INACTIVE


def test_patch_clash_and_refusals(api, world, session):
    a, b, _ = world.members
    clash = api("PATCH", f"/members/{a.phone}", {"phone": b.phone, "name": b.name})
    assert clash.status_code == 409
    session.refresh(a)
    assert a.phone != b.phone
    for body, field in [
        ({"status": "gone"}, "status"),
        ({"opted_out": "yes"}, "opted_out"),
        ({"group": "NOPE"}, "group"),
        ({"pin": "1234"}, "pin"),
    ]:
        answer = api("PATCH", f"/members/{a.phone}", body)
        assert answer.status_code == 422, body
        assert answer.get_json()["field"] == field


def test_moving_a_member_with_savings_is_refused(api, world):
    a, b, _ = world.members
    api(
        "POST",
        "/groups/VSLA1/meetings",
        {"date": "2025-01-06", "records": [{"phone": a.phone, "shares": 1}]},
    )
    refused = api("PATCH", f"/members/{a.phone}", {"group": "VSLA2"})
    assert refused.status_code == 422
    assert refused.get_json()["code"] == "other_group"
    moved = api("PATCH", f"/members/{b.phone}", {"group": "VSLA2"})
    assert moved.status_code == 200
    assert moved.get_json()["group"] == "VSLA2"


def test_shared_phone(api, world, session):
    a = world.members[0]
    twin = factories.member(session, world.group, number=a.phone, name="Twin")
    session.commit()
    listed = api("GET", "/members", query={"phone": a.phone}).get_json()["members"]
    assert [(m["id"], m["name"]) for m in listed] == [(a.id, a.name), (twin.id, "Twin")]
    ambiguous = api("GET", f"/members/{a.phone}")
    assert ambiguous.status_code == 409
    assert "member_id" in ambiguous.get_json()["error"]
    assert api("GET", f"/members/{a.phone}?member_id={twin.id}").get_json()["name"] == "Twin"
    patched = api("PATCH", f"/members/{a.phone}?member_id={twin.id}", {"language": "en"})
    assert patched.get_json()["language"] == "en"
    # member_id must be on that phone.
    assert api("GET", f"/members/0812345678?member_id={twin.id}").status_code == 404
    assert api("GET", f"/members/{a.phone}?member_id=abc").status_code == 422
    assert api("GET", f"/members/{a.phone}?member_id=99999999999").status_code == 422
    assert (
        api("GET", "/members", query={"member_id": twin.id}).get_json()["members"][0]["id"]
        == twin.id
    )


@pytest.mark.parametrize(
    "query", [{}, {"phone": "nope"}, {"member_id": "-1"}, {"phone": "0" * 500}]
)
def test_listing_refusals(api, world, query):
    assert api("GET", "/members", query=query).status_code == 422


def test_unknown_member_in_the_path_is_404(api, world):
    for path in ["/members/0899999999", "/members/not-a-phone", "/members/0899999999/statement"]:
        assert api("GET", path).status_code == 404


CSV = (
    "phone,name,gender,language,group,roles\n"
    "0812345678,Furaha Kahindo,F,sw,VSLA1,member\n"
    "0812345679,Baraka,M,fr,VSLA1,\n"
    "12,Bad Phone,F,sw,VSLA1,\n"
    "0812345680,No Group,F,sw,NOPE,\n"
    "0812345678,Furaha Kahindo,F,ln,VSLA1,member\n"
)


def test_import_csv_body(api, world, session):
    answer = api("POST", "/members/import", raw=CSV, content_type="text/csv")
    assert answer.status_code == 200, answer.get_json()
    report = answer.get_json()
    assert (report["created"], report["updated"]) == (2, 1)
    assert [e["line"] for e in report["errors"]] == [4, 5]
    assert count(session) == 4 + 2


def test_import_multipart(api, world, session):
    answer = api(
        "POST",
        "/members/import",
        raw={"file": (io.BytesIO(CSV.encode("utf-8-sig")), "members.csv")},
        content_type="multipart/form-data",
    )
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["created"] == 2


@pytest.mark.parametrize(
    ("raw", "content_type"),
    [
        ("", "text/csv"),
        ("name,gender\nA,F\n", "text/csv"),  # no phone column
        (b"\xff\xfe\x00junk", "text/csv"),
        ("phone,name,gender\n0812345678,A\x00B,F\n", "text/csv"),
        ('phone,name,gender\n0812345678,"' + "x" * 200_000 + '",F\n', "text/csv"),
        ({"other": b"phone,name,gender\n"}, "multipart/form-data"),  # not the field 'file'
    ],
)
def test_import_refusals(api, world, session, raw, content_type):
    if isinstance(raw, dict):
        raw = {name: (io.BytesIO(data), "x.csv") for name, data in raw.items()}
    answer = api("POST", "/members/import", raw=raw, content_type=content_type)
    assert answer.status_code == 422, answer.get_json()
    assert answer.get_json()["field"] == "file"
    assert count(session) == 4
