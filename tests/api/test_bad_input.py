"""Junk in, JSON 4xx out: malformed bodies, absurd numbers, deep nesting, huge bodies,
unknown paths and methods. Never a 5xx, never HTML, nothing half written."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from api.routes import ROUTES
from ledger import gold
from ledger.db import Base
from tests.api.conftest import check_answer

WRITES = [r for r in ROUTES if r.method in ("POST", "PATCH") and r.rule != "/members/import"]


def concrete(rule: str, world) -> str:
    return (
        rule.replace("/sites/<code>", "/sites/SITE1")
        .replace("<code>", "VSLA1")
        .replace("<phone>", world.members[0].phone)
        .replace("<receipt_number>", "R1")
        .replace("<member_id>", str(world.members[0].id))
        .replace("<meeting_id>", "1")
        .replace("<loan_id>", "1")
        .replace("<lot_number>", "L1")
    )


def row_counts(session) -> dict[str, int]:
    session.rollback()
    return {
        table.name: session.scalar(select(func.count()).select_from(table))
        for table in Base.metadata.sorted_tables
    }


MALFORMED = [
    b"{",
    b"{'code': 'x'}",
    b"[1, 2]",
    b'"a string"',
    b"null",
    b"42",
    b'{"code": NaN}',
    b'{"code": Infinity}',
    b'{"code": -Infinity}',
    b"\xff\xfe{}",
    b'{"a": 1} trailing',
    b'{"a": ' + b"9" * 5000 + b"}",  # more digits than Python reads as an int
    b"[" * 100_000 + b"]" * 100_000,
    b'{"a":' * 2000 + b"1" + b"}" * 2000,
    b'{"a": [[[[[[[[[[1]]]]]]]]]]}',
    b"   ",
]


@pytest.mark.parametrize("route", WRITES, ids=lambda r: f"{r.method} {r.rule}")
def test_malformed_bodies_are_400(api, world, session, route):
    before = row_counts(session)
    for raw in MALFORMED:
        if not raw.strip() and route.rule.endswith(
            ("share-out", "enrolment-code", "close", "leave", "join", "approve", "cash-code")
        ):
            continue  # an empty body is a valid share-out, code, close, leave, join, approval
        answer = api(route.method, concrete(route.rule, world), raw=raw)
        assert answer.status_code == 400, (raw[:30], answer.get_json())
    assert row_counts(session) == before


@pytest.mark.parametrize("route", WRITES, ids=lambda r: f"{r.method} {r.rule}")
def test_bodies_over_the_limit_are_413(api, world, session, route):
    raw = b'{"name": "' + b"x" * (1024 * 1024) + b'"}'
    answer = api(route.method, concrete(route.rule, world), raw=raw)
    assert answer.status_code == 413
    assert answer.get_json()["code"] == "request_entity_too_large"


def test_import_over_the_limit_is_413(api, world):
    raw = "phone,name,gender\n" + "0812345678,A,F\n" * 80_000
    answer = api("POST", "/members/import", raw=raw, content_type="text/csv")
    assert answer.status_code == 413


ABSURD_NUMBERS = [
    "1e400",
    "-1e400",
    "1e-400",
    "1E+999999999",
    "0.000000000000000000000000000000001",
    "123456789012345678901234567890",
    "-0",
    "0",
    "-5",
    '"1e400"',
    '"NaN"',
    '"Infinity"',
    '"0x10"',
    '"1_000"',
    '"  "',
    '"12abc"',
    "true",
    "[]",
    "{}",
]


def _with(template: str, number: str) -> bytes:
    return template.replace("N", number).encode()


NUMBER_BODIES = {
    "/groups": (
        '{"code": "G", "name": "G", "cooperative": "COOPBUNIA", "currency": "CDF",'
        ' "share_value": N, "social_fund_contribution": N, "service_charge_rate": N,'
        ' "meeting_weekday": N, "meeting_time": "15:00", "cycle_start": "2025-01-06"}'
    ),
    "/sites": (
        '{"code": "S", "name": "S", "cooperative": "COOPBUNIA", "status": "green",'
        ' "capacity_grams_per_month": N, "lat": N, "lon": N}'
    ),
    "/purchases": (
        '{"miner": N, "site": "SITE1", "weight_grams": N, "fineness": N,'
        ' "price_per_gram": N, "currency": "USD"}'
    ),
    "/prices": '{"cooperative": "COOPBUNIA", "usd_per_gram": N, "cdf_per_gram": N}',
    "/groups/VSLA1/meetings": (
        '{"date": "2025-01-06", "present": [N], "records": [{"member_id": 1, "shares": N,'
        ' "social_fund": N, "loan": N, "repayment": N, "fine": N, "grant": N}]}'
    ),
}


@pytest.mark.parametrize("path", NUMBER_BODIES)
def test_absurd_numbers_are_refused(api, world, session, path):
    before = row_counts(session)
    for number in ABSURD_NUMBERS:
        answer = api("POST", path, raw=_with(NUMBER_BODIES[path], number))
        assert answer.status_code in (400, 409, 422), (number, answer.get_json())
        assert answer.get_json().get("field") or answer.status_code == 400, number
    assert row_counts(session) == before


JUNK = [
    {"$where": "1"},
    ["a", {"b": [None]}],
    {"nested": {"deeper": {"deepest": [1, 2, {"x": "y"}]}}},
    "😀" * 81,
    "a\tb",
    "line\nbreak",
    "\u202e reversed",
    None,
    -1,
    True,
]


@pytest.mark.parametrize(
    ("path", "body", "key"),
    [
        ("/cooperatives", {"code": "C9", "name": "C"}, "name"),
        ("/cooperatives", {"code": "C9", "name": "C"}, "code"),
        ("/members", {"phone": "0812345678", "name": "A", "gender": "F"}, "gender"),
        ("/members", {"phone": "0812345678", "name": "A", "gender": "F"}, "group"),
        (
            "/purchases",
            {"site": "SITE1", "weight_grams": 1, "price_per_gram": 9, "currency": "USD"},
            "miner",
        ),
        ("/groups/VSLA1/meetings", {"date": "2025-01-06"}, "date"),
        ("/groups/VSLA1/meetings", {"date": "2025-01-06"}, "records"),
    ],
)
def test_nested_junk_in_fields(api, world, session, path, body, key):
    for junk in JUNK:
        before = row_counts(session)
        answer = api("POST", path, {**body, key: junk})
        if answer.status_code < 300:
            # Only harmless values pass: an emptied optional field, a name with a tab.
            assert junk is None or key == "name", (junk, answer.get_json())
            continue
        assert 400 <= answer.status_code < 500
        assert row_counts(session) == before, junk


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/v1"),
        ("GET", "/api/v1/"),
        ("GET", "/api/v1/nothing"),
        ("DELETE", "/api/v1/members/0812345678"),
        ("PUT", "/api/v1/groups"),
        ("GET", "/api/v1/cooperatives"),
        ("POST", "/api/v1/openapi.json"),
        ("GET", "/api/v1/groups/VSLA1/meetings"),
        ("GET", "/api/v1/%ff%fe"),
        ("GET", "/api/v1/members/%00"),
    ],
)
def test_unknown_paths_and_methods_answer_json(client, world, method, path):
    answer = client.open(path, method=method)
    check_answer(answer)
    assert answer.status_code in (401, 404, 405)


def test_other_paths_keep_their_own_errors(client):
    answer = client.get("/nowhere")
    assert answer.status_code == 404
    assert answer.mimetype != "application/json"


def test_a_bug_is_a_json_500_and_writes_nothing(api, world, session, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(gold, "post_price", broken)
    before = row_counts(session)
    answer = api.client.post(
        "/api/v1/prices",
        json={"cooperative": "COOPBUNIA", "usd_per_gram": "95"},
        headers={"Authorization": f"Bearer {world.tokens['coordinator']}"},
    )
    assert answer.status_code == 500
    assert answer.get_json() == {"error": "internal error", "code": "internal"}
    assert "a bug" not in answer.get_data(as_text=True)
    assert "API bug" in caplog.text
    assert row_counts(session) == before


def test_a_retry_racing_its_twin_is_a_conflict_not_a_500(api, world, session):
    # Two requests create the same code at once: the database's unique constraint decides.
    from api import gold as gold_views

    real = gold.create_cooperative

    def racing(session_, code, name):
        session_.add(gold.Cooperative(code="RACE", name="first"))
        session_.flush()
        return real(session_, "RACE2", name)

    session.add(gold.Cooperative(code="RACE", name="committed"))
    session.commit()
    gold_views.gold.create_cooperative = racing
    try:
        answer = api("POST", "/cooperatives", {"code": "RACE2", "name": "x"})
    finally:
        gold_views.gold.create_cooperative = real
    assert answer.status_code == 409
    assert answer.get_json()["code"] == "conflict"
