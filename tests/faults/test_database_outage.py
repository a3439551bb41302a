"""The database briefly unavailable under a running gunicorn: every USSD hop still gets a
screen (a polite ``END`` while the database is away, never a 5xx), and once it is back the
same workers serve normally, without a restart.

On PostgreSQL the web process reaches the database through a TCP proxy the test cuts: every
open connection dropped and new ones refused, as when PostgreSQL restarts. On SQLite, which
has no server to lose, "unavailable" is the file locked by another process (a backup): hops
wait for the lock and answer."""

from __future__ import annotations

import sqlite3
import threading

from sqlalchemy.engine import make_url

from ledger import pins
from locales import translator
from tests import factories
from tests.faults.caller import PIN, Caller
from tests.faults.processes import TcpProxy
from ussd import conversation
from ussd.dial import http_transport


def polite_end(language: str) -> str:
    return conversation.end(translator(language).gettext(conversation.UNAVAILABLE))


def to_pin_prompt(post, phone: str) -> Caller:
    caller = Caller(post, phone)
    caller.dial()
    assert "PIN" in caller.reply("1")
    return caller


def walk_to_savings(post, phone: str) -> str:
    caller = to_pin_prompt(post, phone)
    screen = caller.reply(PIN)
    assert screen.startswith("CON ") and "Savings" in screen, screen
    return screen


def world(session) -> list:
    group = factories.group(session)
    members = [factories.member(session, group, language="en") for _ in range(4)]
    for member in members:
        pins.set_pin(session, member, PIN)
    session.commit()
    return members


def test_database_briefly_unavailable(session, web, database_url, redis_url):
    members = world(session)
    if make_url(database_url).get_backend_name() == "postgresql":
        _postgresql_goes_away(members, web, database_url, redis_url)
    else:
        _sqlite_is_locked(members, web, database_url, redis_url)


def _postgresql_goes_away(members, web, database_url, redis_url) -> None:
    url = make_url(database_url)
    proxy = TcpProxy((url.host or "127.0.0.1", url.port or 5432)).start()
    try:
        server = web(proxy.url_for(database_url), redis_url)
        workers = sorted(server.worker_pids())
        post = http_transport(server.url("/ussd"))
        for member in members:  # every worker has pooled connections to lose
            walk_to_savings(post, member.phone)
        in_flight = [to_pin_prompt(post, m.phone) for m in members]

        proxy.cut()
        for caller in in_flight:
            assert caller.reply(PIN) == polite_end("en")
        for member in members:  # new sessions, unknown caller: the default language
            assert Caller(post, member.phone).dial() == polite_end(None)

        proxy.restore()
        for member in members * 2:
            walk_to_savings(post, member.phone)
        assert sorted(server.worker_pids()) == workers
    finally:
        proxy.cut()


def _sqlite_is_locked(members, web, database_url, redis_url) -> None:
    server = web(database_url, redis_url)
    post = http_transport(server.url("/ussd"))
    walk_to_savings(post, members[0].phone)
    in_flight = [to_pin_prompt(post, m.phone) for m in members]
    answers: list[str] = []
    backup = sqlite3.connect(make_url(database_url).database, isolation_level=None)
    backup.execute("BEGIN EXCLUSIVE")  # every transaction of the app waits for it
    hops = [
        threading.Thread(target=lambda c=c: answers.append(c.reply(PIN)), daemon=True)
        for c in in_flight
    ]
    for hop in hops:
        hop.start()
    hops[0].join(timeout=1)  # held a moment while the hops wait on it
    backup.execute("COMMIT")
    backup.close()
    for hop in hops:
        hop.join(timeout=30)
    assert len(answers) == len(in_flight)
    assert all(a.startswith("CON ") and "Savings" in a for a in answers), answers
    walk_to_savings(post, members[1].phone)
