"""Redis stopped and started again (empty) under a running gunicorn, with USSD sessions in
flight: while it is down every hop gets a clean ``END`` saying the service is unavailable
(never a 5xx) and nothing is written; once it is back, in-flight sessions carry on from their
text without writing blind, and the same gunicorn workers serve again."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ledger import db, gold, pins
from ledger.models import Purchase
from locales import DEFAULT_LANGUAGE, translator
from tests import factories
from tests.faults.caller import PIN, Caller
from ussd import conversation
from ussd.dial import http_transport


def unavailable() -> str:
    return conversation.end(translator(DEFAULT_LANGUAGE).gettext(conversation.UNAVAILABLE))


def purchases() -> int:
    """Purchases the server has committed (a short transaction: SQLite locks while open)."""
    with Session(db.engine()) as s:
        return s.scalar(select(func.count()).select_from(Purchase))


def to_confirmation(buyer: Caller, miner_phone: str) -> str:
    """A buyer's purchase up to the confirmation screen."""
    for reply in ("8", PIN, miner_phone, "1", "12", "1", "1"):
        screen = buyer.reply(reply)
    assert "Confirm" in screen, screen
    return screen


def test_ussd_sessions_in_flight_when_redis_restarts(session, own_redis, web, database_url):
    coop = factories.cooperative(session)
    site = factories.site(session, coop)
    group = factories.group(session, coop)
    members = [factories.member(session, group, language="en", coop=coop) for _ in range(4)]
    buyer = factories.member(session, roles="member,buyer", coop=coop, language="en")
    miner = factories.member(session, roles="member,miner", coop=coop, site=site)
    for person in (*members, buyer):
        pins.set_pin(session, person, PIN)
    gold.post_price(session, coop, usd_per_gram=95_50)
    session.commit()
    server = web(database_url, own_redis.url)
    workers_before = sorted(server.worker_pids())
    post = http_transport(server.url("/ussd"))

    # Redis goes away with sessions at the PIN prompt and on a purchase's confirmation.
    callers = [Caller(post, m.phone) for m in members]
    for caller in callers:
        caller.dial()
        assert "PIN" in caller.reply("1")
    buying = Caller(post, buyer.phone)
    buying.dial()
    to_confirmation(buying, miner.phone)
    own_redis.stop()
    for caller in callers:
        assert caller.reply(PIN) == unavailable()
    assert buying.reply("1") == unavailable()  # the confirmation: not written
    assert Caller(post, members[0].phone).dial() == unavailable()  # a new dial too
    assert purchases() == 0

    own_redis.start()  # empty: every session's state is gone
    # A restart between two hops: sessions carry on from the text they send.
    callers = [Caller(post, m.phone) for m in members]
    for caller in callers:
        caller.dial()
        caller.reply("1")
    buying = Caller(post, buyer.phone)
    buying.dial()
    to_confirmation(buying, miner.phone)
    own_redis.stop()
    own_redis.start()
    for caller in callers:
        screen = caller.reply(PIN)
        assert screen.startswith("CON ") and "Savings" in screen, screen
    screen = buying.reply("1")  # walked again from the text, but never into a write
    assert "Confirm" in screen and purchases() == 0
    assert buying.reply("1").startswith("END ")  # confirmed on a screen this session showed
    assert purchases() == 1
    assert sorted(server.worker_pids()) == workers_before
