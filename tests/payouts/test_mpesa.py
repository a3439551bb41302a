"""The payout state machine against the fake M-Pesa API: paid once whatever the faults
(5xx, an answer past the read timeout, a refusal, duplicate callbacks, a dead worker)."""

from __future__ import annotations

from sqlalchemy import func, select

from ledger import journal
from ledger.models import AccountKind, Entry, EntryKind, LineState, PayoutState, PremiumLine
from payouts import jobs
from tests import services
from tests.ledger_checks import assert_books_balance
from tests.payouts.conftest import approved_premium, due_now, payouts, scan

S = PayoutState


def test_a_mobile_money_premium_is_paid_once_and_booked(session, fake):
    _, miners, _ = approved_premium(session)
    assert [p.state for p in payouts(session)] == [S.PENDING, S.PENDING]
    scan(session)
    done = payouts(session)
    assert [p.state for p in done] == [S.PAID, S.PAID]
    assert sorted(fake.paid[p.reference][:3] for p in done) == sorted(
        [
            (miners[0].phone.lstrip("+"), "10.00", "USD"),
            (miners[1].phone.lstrip("+"), "30.00", "USD"),
        ]
    )
    assert all(fake.calls[p.reference] == 1 for p in done)
    assert done[0].provider_id == fake.paid[done[0].reference][3]
    for miner in miners:
        assert journal.balance(session, AccountKind.PREMIUM_PAYABLE, "USD", member_id=miner.id) == 0
    states = session.scalars(select(PremiumLine.state)).all()
    assert set(states) == {LineState.PAID}
    scan(session)  # nothing more to do
    assert sum(fake.calls.values()) == 2
    assert_books_balance(session)


def test_server_errors_are_retried_after_a_wait_and_pay_once(session, fake):
    approved_premium(session, grams=("10",), amount=5_00)
    fake.fail_next(500, 503)
    scan(session)
    (payout,) = payouts(session)
    assert payout.state == S.FAILED and payout.next_attempt_at is not None
    scan(session)  # the wait is not over: nothing sent
    assert sum(fake.calls.values()) == 1
    due_now(session)
    scan(session)
    due_now(session)
    scan(session)
    (payout,) = payouts(session)
    assert payout.state == S.PAID and payout.attempts == 3
    assert fake.calls[payout.reference] == 3 and len(fake.paid) == 1


def test_retries_are_bounded(session, fake):
    approved_premium(session, grams=("10",), amount=5_00)
    fake.fail_next(*[500] * 10)
    for _ in range(6):
        scan(session)
        due_now(session)
    (payout,) = payouts(session)
    assert payout.state == S.FAILED and payout.next_attempt_at is None
    assert payout.attempts == 4 and fake.paid == {}


def test_a_lost_answer_is_unknown_then_settled_by_the_status_query(session, fake):
    approved_premium(session, grams=("10",), amount=5_00)
    fake.answer_late(2.5)  # paid, but answered after the 1 s read timeout
    scan(session)
    (payout,) = payouts(session)
    assert payout.state == S.UNKNOWN and payout.unknown_since is not None
    assert len(fake.paid) == 1
    scan(session)  # not asked yet, never sent again
    due_now(session)
    scan(session)
    (payout,) = payouts(session)
    assert payout.state == S.PAID and fake.calls[payout.reference] == 1


def test_a_refusal_fails_for_good(session, fake):
    _, (miner,), _ = approved_premium(session, grams=("10",), amount=5_00)
    fake.refuse(miner.phone.lstrip("+"), "INS-2051")
    scan(session)
    due_now(session)
    scan(session)
    (payout,) = payouts(session)
    assert payout.state == S.FAILED and payout.failure_reason == "INS-2051"
    assert sum(fake.calls.values()) == 1
    assert journal.balance(session, AccountKind.PREMIUM_PAYABLE, "USD", member_id=miner.id) == -5_00


def test_duplicate_callbacks_pay_once(session, fake, client):
    approved_premium(session, grams=("10",), amount=5_00)
    fake.answer_late(2.5)
    scan(session)
    (payout,) = payouts(session)
    assert payout.state == S.UNKNOWN
    result = {
        "input_ThirdPartyConversationID": payout.reference,
        "input_ResultCode": "INS-0",
        "input_TransactionID": fake.paid[payout.reference][3],
    }
    for _ in range(3):
        session.rollback()
        answer = client.post("/payouts/mpesa/result", json=result)
        assert answer.status_code == 200
    (payout,) = payouts(session)
    assert payout.state == S.PAID
    session.rollback()
    count = select(func.count()).select_from(Entry).where(Entry.kind == EntryKind.PREMIUM_PAYOUT)
    assert session.scalar(count) == 1
    session.rollback()
    assert client.post("/payouts/mpesa/result", json={"nothing": 1}).status_code == 200
    unknown = {**result, "input_ThirdPartyConversationID": "NOPE"}
    assert client.post("/payouts/mpesa/result", json=unknown).status_code == 200


def test_a_dead_workers_claim_is_asked_about_not_resent(session, fake):
    from ledger import payouts as books
    from ledger.models import utcnow

    approved_premium(session, grams=("10", "20"), amount=6_00)
    first, second = payouts(session)
    # A worker claimed both and died: the first reached the provider, the second never did.
    for payout in (first, second):
        books.claim(session, payout.id, utcnow(), lease=-1)
    session.commit()
    jobs.gateway().send(jobs.request_for(session, first))
    session.rollback()
    scan(session)  # stale claims: unknown, asked at once
    scan(session)  # the one the provider never had is sent again
    first, second = payouts(session)
    assert (first.state, second.state) == (S.PAID, S.PAID)
    assert fake.calls[first.reference] == 1 and fake.calls[second.reference] == 1


def test_cash_premiums_never_reach_the_provider(session, fake):
    approved_premium(session, method="cash")
    scan(session)
    assert [p.state for p in payouts(session)] == [S.PENDING, S.PENDING]
    assert sum(fake.calls.values()) == 0


def test_a_payout_backend_that_cannot_work_stops_the_start():
    import pytest

    from ops.errors import ConfigError
    from wsgi import create_app

    for config, word in (
        ({"PAYOUT_BACKEND": "airtel"}, "PAYOUT_BACKEND"),
        ({"PAYOUT_BACKEND": "mpesa", "MPESA_API_KEY": ""}, "MPESA_API_KEY"),
    ):
        with pytest.raises(ConfigError, match=word):
            create_app(
                {
                    "TESTING": True,
                    "DATABASE_URL": "sqlite://",
                    "REDIS_URL": services.REDIS_SERVER,  # a client only: nothing connects
                    "SECRET_KEY": services.SECRET_KEY,
                    **config,
                }
            )
