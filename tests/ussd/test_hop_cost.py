"""What a hop costs, pinned: SQL statements and Redis round trips per hop of a member's walk
to "My savings" (dial, 1, PIN), so a change that adds one fails here rather than only in the
benchmark. Transaction control (BEGIN, SAVEPOINT, COMMIT) is not counted."""

import datetime as dt

import pytest

from ledger import db, statement
from ledger.meetings import MeetingRecord, record_meeting
from ledger.models import Member
from tests.counting import counting
from tests.ussd.conftest import PIN
from ussd import sessions
from ussd.dial import Phone, client_transport

#: (text sent, SQL statements, Redis round trips)
WALK = [
    ("", 1, 2),  # the caller by phone; lock+load, save+unlock
    ("1", 1, 2),  # the caller by id
    (f"1*{PIN}", 2, 2),  # the caller read with the row locked; the savings in one query
]


@pytest.fixture
def walked(session, world, client):
    record_meeting(
        session,
        world.group,
        dt.date.today(),
        [world.member],
        [MeetingRecord(world.member, shares=3, social_fund=10_000)],
    )
    session.commit()
    db.session.remove()
    warm = Phone(client_transport(client), world.member.phone)  # scripts loaded, pools open
    warm.dial(), warm.reply("1"), warm.reply(PIN)
    return world


def test_each_hop_of_the_walk_costs_what_it_should(walked, client):
    caller = Phone(client_transport(client), walked.member.phone)
    hops = [caller.dial, lambda: caller.reply("1"), lambda: caller.reply(PIN)]
    for (text, queries, round_trips), hop in zip(WALK, hops, strict=True):
        db.session.remove()  # each request starts with an empty session, as under gunicorn
        with counting(db.engine()) as counts:
            screen = hop()
        assert screen.startswith("CON "), screen
        assert caller.text == text
        assert counts.queries == queries, (text, [s[:50] for s in counts.statements])
        assert counts.redis == round_trips, (text, counts.round_trips)
    assert screen.startswith("CON Groupe VSLA1\n")


def test_a_retry_is_answered_from_the_session_alone(walked, client):
    caller = Phone(client_transport(client), walked.member.phone)
    caller.dial()
    first = caller.reply("1")
    db.session.remove()
    with counting(db.engine()) as counts:
        assert caller.resend() == first
    assert counts.queries == 0, counts.statements
    assert counts.redis == 2, counts.round_trips


def test_a_busy_session_waits_for_the_lock_then_answers(walked, app, client, monkeypatch):
    """A retry arriving while its first request still runs waits; past the wait, a polite
    END, and the lock of the request that holds it is left alone."""
    redis = app.extensions["redis"]
    caller = Phone(client_transport(client), walked.member.phone)
    caller.dial()
    lock = sessions.key(caller.session_id) + ":lock"
    redis.set(lock, "someone-else", px=60_000)
    monkeypatch.setattr(sessions, "LOCK_WAIT_SECONDS", 0.05)
    assert caller.reply("1").startswith("END ")
    assert redis.get(lock) == b"someone-else"
    redis.delete(lock)
    assert caller.resend().startswith("CON ")
    assert not redis.exists(lock)


def test_the_savings_query_agrees_with_the_statement(walked):
    session = db.session()
    member = session.get(Member, walked.member.id)
    mine = statement.savings(session, member)
    full = statement.member_statement(session, member, dt.date.today(), recent=0)
    assert mine == {
        "group_name": full["group"].name,
        "currency": full["currency"],
        "shares": full["shares"],
        "savings": full["savings"],
        "social_fund": full["social_fund"],
    }
    assert mine["shares"] == 3 and mine["savings"] > 0 and mine["social_fund"] == 10_000
    member.group_id = None
    assert statement.savings(session, member) is None
