"""Nothing about a PIN or an enrolment code rests anywhere in clear: not in Redis (session
state, replay marks, RQ), not in the logs, not in the database once the code's SMS has left;
and the work one request can ask for is bounded."""

from __future__ import annotations

import contextlib
import logging
import re
import zlib

import pytest
from sqlalchemy import String, Text, select, text
from sqlalchemy.exc import SQLAlchemyError

from ledger import db, enrolment, pins
from ledger.db import Base
from ledger.models import Message, MessageKind
from locales import translator
from locales.gsm7 import to_gsm7
from sms import relay, sender, settings
from sms.gateways.console import ConsoleGateway
from tests.ussd.conftest import PIN, Words
from ussd import conversation, sessions
from ussd.defaults import MAX_REPLIES

WRONG_PIN, NEW_PIN, FIRST_PIN = "1112", "4826", "1357"


def occurs(needle: str, haystack: bytes | str) -> bool:
    """``needle`` as a number of its own (not inside a longer run of hex digits, as in the
    random ids and marks Redis is full of)."""
    if isinstance(haystack, str):
        haystack = haystack.encode("utf-8", "surrogatepass")
    return (
        re.search(rb"(?<![0-9a-fA-F])" + needle.encode() + rb"(?![0-9a-fA-F])", haystack)
        is not None
    )


def redis_contents(client) -> list[tuple[bytes, bytes]]:
    """Every key with every value it holds (RQ's compressed job data opened too)."""
    found = []
    for key in client.scan_iter("*"):
        kind = client.type(key)
        if kind == b"string":
            values = [client.get(key)]
        elif kind == b"hash":
            values = [b for pair in client.hgetall(key).items() for b in pair]
        elif kind == b"list":
            values = client.lrange(key, 0, -1)
        elif kind == b"set":
            values = list(client.smembers(key))
        elif kind == b"zset":
            values = [member for member, _score in client.zrange(key, 0, -1, withscores=True)]
        else:
            values = []
        for value in values:
            value = value or b""
            found.append((key, value))
            with contextlib.suppress(zlib.error):
                found.append((key, zlib.decompress(value)))
    return found


def database_text(session) -> list[str]:
    """Every string of every table."""
    out = []
    for table in Base.metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, String | Text)]
        if columns:
            for row in session.execute(select(*columns)):
                out += [str(v) for v in row if v is not None]
    return out


def code_on(screen: str) -> str:
    (code,) = re.findall(r"(?<!\d)\d{6}(?!\d)", screen)
    return code


def test_pin_flows_leave_no_pin_or_code_in_redis_logs_or_database(
    app, session, client, phone, world, caplog
):
    caplog.set_level(logging.DEBUG)
    # verify, wrong, change
    assert "Groupe VSLA1" in phone(world.member.phone).walk("1", PIN)
    handset = phone(world.member.phone)
    handset.walk("2", WRONG_PIN, PIN)
    handset.resend()  # a gateway retry
    assert Words(world.member.language)("PIN saved.") in phone(world.member.phone).walk(
        "7", PIN, NEW_PIN, NEW_PIN
    )
    # enrolment: the officer issues a code (item 12), the member types it and a first PIN
    pins.reset_pin(session, world.member)
    session.commit()
    officer = phone(world.officer.phone)
    code = code_on(officer.walk("12", PIN, world.member.phone, "1"))
    officer.resend()  # a retry of the code's screen is answered without the code
    assert code not in officer.last
    first = phone(world.member.phone)
    first.walk("1", code, FIRST_PIN)
    assert "Groupe VSLA1" in first.reply(FIRST_PIN)
    # an unlock issues a second code; the API a third (with an Idempotency-Key it ignores)
    second = code_on(phone(world.officer.phone).walk("11", PIN, world.member.phone, "1"))
    pins.reset_pin(session, world.husband)
    session.commit()
    from api.tokens import create_token

    _, token = create_token(session, "officer", "officer", group=world.group)
    session.commit()
    answer = client.post(
        f"/api/v1/members/{world.husband.id}/enrolment-code",
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": "k-1"},
    )
    assert answer.status_code == 201 and answer.headers["Cache-Control"] == "no-store"
    third = answer.get_json()["code"]
    codes = {code, second, third}
    assert len(codes) == 3 or all(len(c) == 6 for c in codes)
    # the SMS of the member's codes (her phone is hers alone) go out, in this process
    current = settings.current()
    relay.scan(
        db.session(),
        current,
        lambda kind, ids: (
            sender.send(db.session(), ids, ConsoleGateway(), current) if kind == "send" else None
        ),
    )
    session.expire_all()
    texted = list(session.scalars(select(Message).where(Message.kind == MessageKind.ENROLMENT)))
    assert len(texted) == 2 and {m.status.value for m in texted} == {"sent"}

    secrets = [PIN, WRONG_PIN, NEW_PIN, FIRST_PIN, *codes]
    leaks = [
        (secret, key, value[:120])
        for key, value in redis_contents(app.extensions["redis"])
        for secret in secrets
        if occurs(secret, value) or occurs(secret, key)
    ]
    assert leaks == []
    stored = [(s, t) for t in database_text(session) for s in secrets if occurs(s, t)]
    assert stored == []
    for record in caplog.records:
        line = record.getMessage() + (record.exc_text or "")
        for pin in (PIN, WRONG_PIN, NEW_PIN, FIRST_PIN):
            assert not occurs(pin, line), (pin, record.name, line)
        for each in codes:  # only the console gateway's debug line, the developer's "phone"
            if occurs(each, line):
                assert (record.name, record.levelno) == ("sanduku.sms.console", logging.DEBUG)


def test_the_session_state_keeps_marks_never_the_text(app, phone, world):
    handset = phone(world.member.phone)
    handset.walk("1", PIN)
    state = sessions.load(app.extensions["redis"], handset.session_id)
    assert "text" not in state
    assert state["read"] == sessions.mark(f"1*{PIN}") and state["read"].startswith("6:")
    assert all(re.fullmatch(r"\d+:[0-9a-f]{32}", key) for key in state["answers"])
    assert "new_pin_hash" not in str(state) and PIN not in str(state)


def test_a_pin_is_set_only_from_the_reply_the_pin_screen_read(session, client, world):
    """The first PIN is read back from the gateway's text, at the place the PIN screen read
    it: a reply dropped at the confirmation barrier (a first request is never walked into
    a write) cannot stand in for it."""
    pins.reset_pin(session, world.member)
    code = enrolment.issue(session, world.member).code
    session.commit()
    w = Words(world.member.language)

    def post(text_: str) -> str:
        form = {"sessionId": "lost", "phoneNumber": world.member.phone, "text": text_}
        return client.post("/ussd", data=form).get_data(as_text=True)

    # a session whose state was lost: walked up to the confirmation; "1357" is not read
    assert post(f"1*{code}*{NEW_PIN}*{FIRST_PIN}").startswith(
        "CON " + w("Type the same PIN again:")
    )
    screen = post(f"1*{code}*{NEW_PIN}*{FIRST_PIN}*{FIRST_PIN}")
    assert screen.startswith(f"CON {w('The PINs differ. Try again.')}")
    session.expire_all()
    assert session.get(type(world.member), world.member.id).pin_hash is None
    # typed again, in order, it is saved
    post(f"1*{code}*{NEW_PIN}*{FIRST_PIN}*{FIRST_PIN}*{NEW_PIN}")
    assert w("PIN saved.") in post(
        f"1*{code}*{NEW_PIN}*{FIRST_PIN}*{FIRST_PIN}*{NEW_PIN}*{NEW_PIN}"
    )
    session.expire_all()
    member = session.get(type(world.member), world.member.id)
    assert pins.matches(NEW_PIN, member.pin_hash, member.id)


@pytest.mark.parametrize(
    "form_text",
    [
        "*".join(["1"] * (MAX_REPLIES + 1)),  # 31 replies, 61 characters
        "1*" + "0" * 999,  # 1,001 characters
    ],
)
def test_a_long_text_is_answered_without_being_walked(app, client, world, monkeypatch, form_text):
    def walked(*_args, **_kwargs):
        raise AssertionError("walked")

    monkeypatch.setattr(conversation, "step", walked)
    monkeypatch.setattr(sessions, "load", walked)
    answer = client.post(
        "/ussd",
        data={"sessionId": "long", "phoneNumber": world.member.phone, "text": form_text},
    ).get_data(as_text=True)
    assert answer == "END " + to_gsm7(translator(None).gettext(conversation.TOO_LONG))
    assert app.extensions["redis"].get(sessions.key("long")) is None


def test_a_session_state_from_before_the_marks_is_not_walked(app, client, world):
    """State written by the version that kept the text: the session is ended, never walked
    from a text it cannot check."""
    old = {"phone": world.member.phone, "text": "1", "answers": {}, "data": {}, "stack": []}
    sessions.save(app.extensions["redis"], "old", old)
    form = {"sessionId": "old", "phoneNumber": world.member.phone, "text": f"1*{PIN}"}
    answer = client.post("/ussd", data=form).get_data(as_text=True)
    assert answer == "END " + to_gsm7(translator("sw").gettext(conversation.SORRY))


def test_thirty_replies_are_still_walked(client, world):
    text_30 = "*".join(["3", "0"] * 15)  # prices, back, 15 times
    answer = client.post(
        "/ussd", data={"sessionId": "thirty", "phoneNumber": world.member.phone, "text": text_30}
    ).get_data(as_text=True)
    assert answer.startswith("CON ") and "Amani" in answer


def test_sql_parameters_never_reach_an_error_message(session):
    secret = "+243810000999 Amani Furaha"
    assert db.engine().hide_parameters
    with pytest.raises(SQLAlchemyError) as caught:
        session.execute(text("SELECT * FROM no_such_table WHERE phone = :p"), {"p": secret})
    session.rollback()
    assert "hidden" in str(caught.value) and secret not in str(caught.value)
