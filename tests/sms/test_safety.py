"""The SMS pipeline against a hostile world: strangers and floods get no replies, a send
that keeps ending ``unknown`` is not resent for ever, unmatched delivery reports never
leave a phone number in RQ, what holds phone numbers is purged on schedule, and no log line
holds a phone number or a text. In this process, against the fake gateway."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging

import pytest
from sqlalchemy import func, select

from api.tokens import create_token
from ledger import enrolment, gold, pins
from ledger.models import (
    IdempotentRequest,
    InboundMessage,
    Message,
    MessageKind,
    MessageStatus,
    UnmatchedReport,
    utcnow,
)
from ledger.premiums.approve import approve
from ledger.premiums.plan import plan_premium
from sms import inbound, jobs, outbox, relay, reports, retention, sender, settings
from sms.gateways import Outcome, SendResult
from sms.gateways.africastalking import AfricasTalkingGateway
from tests import factories
from tests.sms.test_inbound import text
from tests.ussd.test_secrets import redis_contents

S = MessageStatus


def run_relay(session) -> dict:
    """Two relay passes whose jobs run here, at once, through the configured gateway (the
    second sends the replies the first wrote)."""
    current = settings.current()

    def enqueue(kind, ids):
        if kind == "send":
            sender.send(session, ids, jobs.gateway(), current)
        else:
            for inbound_id in ids:
                inbound.process(session, inbound_id, current)

    relay.scan(session, current, enqueue)
    return relay.scan(session, current, enqueue)


def count(session, model, *where) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model).where(*where))


# -- inbound ------------------------------------------------------------------------------


def test_a_stranger_is_recorded_and_never_answered(session, client):
    stranger = factories.phone()
    for word in ("bei", "stop", "habari"):
        assert text(client, stranger, word).status_code == 200
    run_relay(session)
    assert count(session, InboundMessage, InboundMessage.processed_at.is_not(None)) == 3
    assert count(session, Message) == 0
    assert [
        i.action for i in session.scalars(select(InboundMessage).order_by(InboundMessage.id))
    ] == ["price", "stop", "help"]


def test_replies_are_limited_per_phone_and_hour(session, client, fake):
    amani = factories.member(session, name="Amani Furaha")
    neema = factories.member(session, name="Neema Kahindo")
    session.commit()
    limit = settings.current().replies_per_hour
    for n in range(limit + 4):  # an auto-responder loop
        text(client, amani.phone, f"habari {n}")
    text(client, neema.phone, "bei")  # someone else is not held back
    run_relay(session)
    assert count(session, InboundMessage, InboundMessage.processed_at.is_not(None)) == limit + 5
    assert count(session, Message, Message.phone == amani.phone) == limit
    assert count(session, Message, Message.phone == neema.phone) == 1
    assert len(fake.texts_to(amani.phone)) == limit
    # an hour later the member is answered again
    for message in session.scalars(select(Message)):
        message.created_at -= dt.timedelta(minutes=61)
    session.commit()
    text(client, amani.phone, "bei")
    run_relay(session)
    assert count(session, Message, Message.phone == amani.phone) == limit + 1


# -- unknown sends ------------------------------------------------------------------------


class NeverAnswers(AfricasTalkingGateway):
    """A gateway whose every call times out: it may have sent, it never says."""

    name = "silent"

    def __init__(self):  # no account needed: it never reaches anyone
        self.calls = 0

    def send(self, text_, phones):
        self.calls += 1
        return [SendResult(p, Outcome.UNKNOWN, reason="timeout") for p in phones]


def test_a_send_that_keeps_ending_unknown_is_resent_once_then_failed(session, monkeypatch):
    member = factories.member(session, name="Amani Furaha")
    row = outbox.add(
        session,
        phone=member.phone,
        member_id=member.id,
        kind=MessageKind.RECEIPT,
        language="sw",
        body="Risiti R1",
        cause="purchase:1",
    )
    session.commit()
    silent = NeverAnswers()
    current = dataclasses.replace(settings.current(), unknown_grace=0.0)
    monkeypatch.setattr(settings, "_current", current)
    monkeypatch.setattr(jobs, "gateway", lambda: silent)
    for _ in range(3):  # far more passes than it takes
        run_relay(session)
    session.expire_all()
    final = session.get(Message, row.id)
    assert silent.calls == 2 and final.attempts == 2 and final.resent
    assert final.status == S.FAILED
    assert final.failure_reason == "no delivery report after a resend"


def test_a_resent_row_settled_by_a_report_stays_settled(session, client, fake, monkeypatch):
    member = factories.member(session, name="Amani Furaha")
    row = outbox.add(
        session,
        phone=member.phone,
        member_id=member.id,
        kind=MessageKind.REPLY,
        language="sw",
        body="Karibu",
        cause=None,
    )
    session.commit()
    silent = NeverAnswers()
    monkeypatch.setattr(jobs, "gateway", lambda: silent)
    run_relay(session)  # sent once, unknown; waits for its grace period
    answer = client.post(
        "/sms/delivery", data={"id": "AT-late", "status": "Success", "phoneNumber": member.phone}
    )
    assert answer.status_code == 200
    session.expire_all()
    assert session.get(Message, row.id).status == S.DELIVERED and silent.calls == 1


# -- delivery reports ---------------------------------------------------------------------


def test_an_unmatched_report_leaves_no_phone_in_rq(app, session, client):
    phone = factories.phone()
    digits = phone.lstrip("+")
    answer = client.post(
        "/sms/delivery",
        data={"id": "ATXunknown", "status": "Failed", "phoneNumber": phone, "failureReason": "x"},
    )
    assert answer.status_code == 200
    (kept,) = session.scalars(select(UnmatchedReport))
    assert kept.phone == phone and kept.next_try_at is not None
    leaks = [(k, v[:80]) for k, v in redis_contents(app.extensions["redis"]) if digits in str(v)]
    assert leaks == []
    # tried again later (not yet matched), then matched once its message is recorded
    kept.next_try_at = utcnow() - dt.timedelta(seconds=1)
    session.commit()
    assert reports.retry_unmatched(session, settings.current()) == {"matched": 0, "kept": 1}
    session.expire_all()
    kept = session.get(UnmatchedReport, kept.id)
    assert kept.tries == 1 and kept.next_try_at is not None
    message = outbox.add(
        session,
        phone=phone,
        member_id=None,
        kind=MessageKind.REPLY,
        language="en",
        body="hello",
        cause=None,
    )
    message.status, message.gateway_id = S.SENT, "ATXunknown"
    kept.next_try_at = utcnow() - dt.timedelta(seconds=1)
    session.commit()
    assert reports.retry_unmatched(session, settings.current()) == {"matched": 1, "kept": 0}
    assert count(session, UnmatchedReport) == 0
    session.expire_all()
    assert session.get(Message, message.id).status == S.FAILED


def test_unmatched_reports_stop_being_tried_and_are_bounded(session):
    current = settings.current()
    old = utcnow() - dt.timedelta(days=current.keep_unmatched_days + 1)
    for n in range(5):
        session.add(
            UnmatchedReport(
                gateway_id=f"g{n}",
                status=S.SENT,
                phone=factories.phone(),
                received_at=old if n < 2 else utcnow(),
                tries=len(current.report_retry),
                next_try_at=None,
            )
        )
    session.commit()
    assert reports.retry_unmatched(session, current) == {"matched": 0, "kept": 0}
    done = retention.purge(session, dataclasses.replace(current, unmatched_max=2))
    assert done["unmatched"] == 3
    assert [
        r.gateway_id for r in session.scalars(select(UnmatchedReport).order_by(UnmatchedReport.id))
    ] == ["g3", "g4"]


# -- retention ----------------------------------------------------------------------------


def test_the_purge_keeps_only_what_is_within_its_retention(session):
    current = settings.current()
    now = utcnow()
    long_ago = now - dt.timedelta(days=current.keep_messages_days + 1)
    member = factories.member(session, name="Amani Furaha")
    rows = {}
    for name, kind, status, created in [
        ("old_reply", MessageKind.REPLY, S.DELIVERED, long_ago),
        ("old_failed", MessageKind.PRICE, S.FAILED, long_ago),
        ("old_receipt", MessageKind.RECEIPT, S.DELIVERED, long_ago),
        ("old_pending", MessageKind.REMINDER_EVE, S.PENDING, long_ago),
        ("new_reply", MessageKind.REPLY, S.DELIVERED, now),
    ]:
        rows[name] = outbox.add(
            session,
            phone=member.phone,
            member_id=member.id,
            kind=kind,
            language="sw",
            body=f"text of {name}",
            cause=name,
        )
        rows[name].status, rows[name].created_at = status, created
    old_in = InboundMessage(
        gateway_id="in-old", phone=member.phone, text="bei", received_at=long_ago
    )
    old_in.reply_id = rows["old_reply"].id
    new_in = InboundMessage(gateway_id="in-new", phone=member.phone, text="bei", received_at=now)
    new_in.reply_id = rows["new_reply"].id
    session.add_all([old_in, new_in])
    token, _secret = create_token(session, "t", "coordinator")
    session.flush()
    for key, created in (("old", now - dt.timedelta(days=8)), ("new", now)):
        session.add(
            IdempotentRequest(
                token_id=token.id,
                key=key,
                path="/api/v1/prices",
                request_hash="0" * 64,
                status_code=201,
                body="{}",
                created_at=created,
            )
        )
    session.commit()

    done = retention.purge(session, current)
    session.expire_all()
    left = {m.cause: m for m in session.scalars(select(Message))}
    assert set(left) == {"old_receipt", "old_pending", "new_reply"}
    stripped = left["old_receipt"]
    assert (stripped.phone, stripped.body, stripped.status) == ("", "", S.DELIVERED)
    assert left["new_reply"].body == "text of new_reply"
    assert [i.gateway_id for i in session.scalars(select(InboundMessage))] == ["in-new"]
    assert [r.key for r in session.scalars(select(IdempotentRequest))] == ["new"]
    assert done["messages"] == 2 and done["receipts_stripped"] == 1 and done["idempotency"] == 1
    assert retention.purge(session, current)["messages"] == 0  # nothing left to do


def test_the_purge_is_one_of_the_workers_periodic_tasks(app):
    import worker

    task = next(t for t in worker.SCHEDULE if t.name == "purge")
    assert task.run is jobs.purge_old
    assert task.interval(app.config) == settings.current().purge_interval


# -- enrolment codes by SMS ---------------------------------------------------------------


def test_the_code_sms_goes_to_a_member_alone_and_its_body_is_forgotten(session, fake):
    alone = factories.member(session, name="Amani Furaha", language="fr")
    shared = factories.phone()
    wife = factories.member(session, name="Furaha Dhedonga", number=shared)
    factories.member(session, name="Dieudonne Dhedonga", number=shared)
    session.commit()
    texted = enrolment.issue(session, alone)
    in_person = enrolment.issue(session, wife)
    session.commit()
    assert texted.texted and not in_person.texted
    (row,) = session.scalars(select(Message))
    assert row.phone == alone.phone and row.kind == MessageKind.ENROLMENT
    assert row.language == "fr" and texted.code in row.body and row.expires_at == texted.expires_at
    run_relay(session)
    assert [texted.code in body for body in fake.texts_to(alone.phone)] == [True]
    assert fake.texts_to(shared) == []
    session.expire_all()
    row = session.get(Message, row.id)
    assert row.status == S.SENT and texted.code not in row.body


def test_a_code_sms_not_sent_in_time_is_dropped_with_its_code(session, fake):
    member = factories.member(session, name="Amani Furaha")
    session.commit()
    issued = enrolment.issue(session, member, now=utcnow() - dt.timedelta(hours=25))
    session.commit()
    run_relay(session)
    (row,) = session.scalars(select(Message))
    assert row.status == S.FAILED and row.failure_reason == "expired"
    assert issued.code not in row.body and fake.requests == []


def test_a_premium_sms_carries_her_cash_code_then_forgets_it(session, fake):
    coop = factories.cooperative(session)
    site = factories.site(session, coop)
    miner = factories.member(session, name="Amani Furaha", roles="miner", coop=coop, site=site)
    lot = gold.record_purchase(
        session, miner=miner, site=site, weight_mg=5000, price_per_gram=9550, currency="USD"
    ).lot.lot_number
    premium = plan_premium(
        session, cooperative=coop, amount=10_00, currency="USD", basis="grams", lots=[lot]
    )
    (code,) = approve(session, premium, approver=None, on=dt.date.today()).codes.values()
    session.commit()
    (row,) = session.scalars(select(Message).where(Message.kind == MessageKind.PREMIUM))
    assert code in row.body and lot in row.body
    run_relay(session)
    assert [code in body for body in fake.texts_to(miner.phone)] == [False, True]  # receipt
    session.expire_all()
    row = session.get(Message, row.id)
    assert row.status == S.SENT and code not in row.body


# -- logs ---------------------------------------------------------------------------------


def test_no_phone_number_or_text_is_logged(session, client, caplog, world_phone):
    """A USSD walk, an inbound SMS and its reply, matched and unmatched delivery reports:
    at INFO, no log line holds a phone number (in any of its forms) or a text."""
    member, pin = world_phone
    caplog.set_level(logging.INFO)
    stranger = factories.phone()
    said = "habari yako rafiki wangu"
    forged = "log\n2026-12-02 05:00:00 INFO sanduku forged line"
    form = {"sessionId": forged, "phoneNumber": member.phone, "serviceCode": "*1#"}
    for text_ in ("", "1", f"1*{pin}", f"1*{pin}*00", f"1*{pin}*00*3", "9*9"):
        client.post("/ussd", data={**form, "text": text_})
    text(client, member.phone, said)
    text(client, stranger, said)
    client.post("/sms/inbound", data={"from": member.phone, "text": said})  # no id
    run_relay(session)
    (reply,) = [m for m in session.scalars(select(Message)) if m.phone == member.phone]
    client.post(
        "/sms/delivery",
        data={"id": reply.gateway_id, "status": "Success", "phoneNumber": member.phone},
    )
    client.post(
        "/sms/delivery", data={"id": "ATX-none", "status": "Failed", "phoneNumber": stranger}
    )
    client.post("/sms/delivery", data={"phoneNumber": stranger, "status": "Nonsense"})
    records = [r for r in caplog.records if r.levelno >= logging.INFO]
    lines = [r.getMessage() + (r.exc_text or "") for r in records]
    assert any("does not follow on" in line for line in lines)  # the session id was logged
    forms = []
    for number in (member.phone, stranger):
        forms += [number, number.lstrip("+"), "0" + number[4:], number[4:]]
    leaks = [line for line in lines for needle in [*forms, said, reply.body] if needle in line]
    assert leaks == []
    assert not any("\n2026-12-02" in line for line in lines)  # escaped: no forged line


@pytest.fixture
def world_phone(session):
    member = factories.member(session, name="Amani Furaha")
    pins.set_pin(session, member, "2580")
    session.commit()
    return member, "2580"
