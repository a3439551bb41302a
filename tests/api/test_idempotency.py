"""Idempotency-Key: a retry gets the first answer back and nothing is written twice."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import func, select, update

from api import idempotency
from ledger.models import Entry, IdempotentRequest, Member, Purchase
from tests.api.conftest import check_answer


def counts(session) -> tuple[int, int, int]:
    session.rollback()
    return tuple(
        session.scalar(select(func.count()).select_from(model))
        for model in (Purchase, Entry, IdempotentRequest)
    )


def purchase(world, **changes) -> dict:
    return {
        "miner": world.miner.phone,
        "site": "SITE1",
        "weight_grams": "12.5",
        "price_per_gram": "95.50",
        "currency": "USD",
        **changes,
    }


def test_a_retried_purchase_is_written_once(api, world, session):
    headers = {"Idempotency-Key": "buy-0001"}
    first = api("POST", "/purchases", purchase(world), as_="buyer", headers=headers)
    assert first.status_code == 201
    assert "Idempotent-Replayed" not in first.headers
    assert counts(session) == (1, 1, 1)
    for _ in range(3):
        again = api("POST", "/purchases", purchase(world), as_="buyer", headers=headers)
        assert again.status_code == 201
        assert again.get_json() == first.get_json()
        assert again.headers["Idempotent-Replayed"] == "true"
    assert counts(session) == (1, 1, 1)
    # Without a key (or with another one) a second purchase is a second purchase.
    api("POST", "/purchases", purchase(world), as_="buyer")
    api("POST", "/purchases", purchase(world), as_="buyer", headers={"Idempotency-Key": "b2"})
    assert counts(session) == (3, 3, 2)


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        (
            "POST",
            "/groups/VSLA1/meetings",
            {"date": "2025-01-06", "records": [{"member_id": 1, "shares": 2}]},
        ),
        ("POST", "/prices", {"cooperative": "COOPBUNIA", "usd_per_gram": "95"}),
        ("POST", "/members", {"phone": "0812345678", "name": "Neema", "gender": "F"}),
        ("POST", "/cooperatives", {"code": "C7", "name": "C7"}),
        ("POST", "/groups/VSLA1/share-out", {"date": "2025-06-30"}),
    ],
)
def test_every_write_replays(api, world, session, method, path, body):
    headers = {"Idempotency-Key": "k-1"}
    session.rollback()
    before = {t: session.scalar(select(func.count()).select_from(t)) for t in _tables()}
    first = api(method, path, body, headers=headers)
    assert first.status_code in (200, 201), first.get_json()
    session.rollback()
    after_first = {t: session.scalar(select(func.count()).select_from(t)) for t in _tables()}
    assert after_first != before
    second = api(method, path, body, headers=headers)
    assert (second.status_code, second.get_json()) == (first.status_code, first.get_json())
    session.rollback()
    assert {
        t: session.scalar(select(func.count()).select_from(t)) for t in _tables()
    } == after_first


def _tables():
    from ledger.db import Base

    return [t for t in Base.metadata.sorted_tables]


def test_the_same_key_for_another_request_is_refused(api, world, session):
    headers = {"Idempotency-Key": "same"}
    assert api("POST", "/purchases", purchase(world), headers=headers).status_code == 201
    other_body = api("POST", "/purchases", purchase(world, weight_grams="13"), headers=headers)
    assert other_body.status_code == 422
    assert other_body.get_json()["code"] == "idempotency_key_reused"
    other_path = api(
        "POST", "/prices", {"cooperative": "COOPBUNIA", "usd_per_gram": "95"}, headers=headers
    )
    assert other_path.status_code == 422
    assert counts(session)[0] == 1


def test_keys_belong_to_their_token(api, world, session):
    headers = {"Idempotency-Key": "shared-key"}
    mine = api("POST", "/purchases", purchase(world), as_="buyer", headers=headers)
    theirs = api("POST", "/purchases", purchase(world), as_="coordinator", headers=headers)
    assert mine.get_json()["receipt_number"] != theirs.get_json()["receipt_number"]
    assert counts(session)[0] == 2


def test_a_refusal_is_not_stored(api, world, session):
    headers = {"Idempotency-Key": "retry-after-fix"}
    refused = api(
        "POST", "/purchases", purchase(world, miner="0991234567"), as_="buyer", headers=headers
    )
    assert refused.status_code == 422
    assert counts(session) == (0, 0, 0)
    session.add(
        Member(
            phone="+243991234567",
            name="Late",
            name_key="late",
            gender="M",
            language="sw",
            roles="member,miner",
            cooperative_id=world.coop.id,
        )
    )
    session.commit()
    accepted = api(
        "POST", "/purchases", purchase(world, miner="0991234567"), as_="buyer", headers=headers
    )
    assert accepted.status_code == 201
    assert counts(session) == (1, 1, 1)


@pytest.mark.parametrize("key", ["", "x" * 81, "clé-ü", "tab\there"])
def test_bad_keys(api, world, session, key):
    answer = api("POST", "/purchases", purchase(world), headers={"Idempotency-Key": key})
    assert answer.status_code == 400
    assert answer.get_json()["field"] == "Idempotency-Key"
    assert counts(session) == (0, 0, 0)


def test_a_stored_answer_expires(api, world, session):
    headers = {"Idempotency-Key": "old"}
    api("POST", "/purchases", purchase(world), headers=headers)
    session.execute(update(IdempotentRequest).values(created_at=dt.datetime(2020, 1, 1)))
    session.commit()
    again = api("POST", "/purchases", purchase(world), headers=headers)
    assert again.status_code == 201
    assert "Idempotent-Replayed" not in again.headers
    assert counts(session) == (2, 2, 1)


def test_losing_a_race_replays_the_winner(api, world, session, monkeypatch):
    """The twin committed between our look-up and our commit: the unique key undoes ours."""
    headers = {"Idempotency-Key": "race"}
    winner = api("POST", "/purchases", purchase(world), headers=headers)
    real = idempotency._stored
    calls = []

    def not_yet(token, key):
        calls.append(key)
        return None if len(calls) == 1 else real(token, key)

    monkeypatch.setattr(idempotency, "_stored", not_yet)
    loser = api("POST", "/purchases", purchase(world), headers=headers)
    assert len(calls) == 2
    assert loser.status_code == 201
    assert loser.get_json() == winner.get_json()
    assert counts(session) == (1, 1, 1)


def _at_once(app, world, n: int, key: str | None) -> list:
    """``n`` purchases sent at the same moment, each in its own thread and session."""
    barrier = threading.Barrier(n)
    answers = []
    headers = {"Authorization": f"Bearer {world.tokens['buyer']}"}
    if key:
        headers["Idempotency-Key"] = key

    def attempt():
        client = app.test_client()
        barrier.wait(timeout=10)
        answers.append(client.post("/api/v1/purchases", json=purchase(world), headers=headers))

    threads = [threading.Thread(target=attempt) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(answers) == n
    for answer in answers:
        check_answer(answer)
    return answers


def test_concurrent_retries_write_once(app, world, session):
    answers = _at_once(app, world, 4, "together")
    assert {a.status_code for a in answers} == {201}
    assert len({a.get_json()["receipt_number"] for a in answers}) == 1
    assert counts(session) == (1, 1, 1)


def test_concurrent_first_purchases_all_succeed(app, world, session):
    # The first purchases of a cooperative race to open its journal accounts: the loser
    # of that race is tried once more, not refused.
    answers = _at_once(app, world, 4, None)
    assert [a.status_code for a in answers] == [201] * 4
    assert len({a.get_json()["receipt_number"] for a in answers}) == 4
    assert counts(session) == (4, 4, 0)
