"""The outbox without a worker: rows written with their cause (or not at all), the relay's
grouping and lease handling, the atomic claim under concurrency, report ordering."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import update

from ledger import db, gold
from ledger.errors import LedgerError
from ledger.models import Message, MessageKind, MessageStatus, utcnow
from sms import jobs, outbox, relay, reports, sender, settings
from sms.gateways import StatusReport
from tests import factories
from tests.sms.conftest import messages

S = MessageStatus


def test_no_receipt_without_its_purchase(session):
    coop = factories.cooperative(session)
    site = factories.site(session, coop)
    miner = factories.member(session, coop=coop, site=site)
    session.commit()
    with pytest.raises(LedgerError):
        gold.record_purchase(
            session, miner=miner, site=site, weight_mg=0, price_per_gram=1, currency="USD"
        )
    session.rollback()
    gold.record_purchase(
        session, miner=miner, site=site, weight_mg=1_000, price_per_gram=95_00, currency="USD"
    )
    session.rollback()  # the purchase is abandoned: its receipt goes with it
    assert messages() == []


def _write(session, n: int, kind=MessageKind.REPLY, cause=None, language="sw", body=None):
    ids = []
    for i in range(n):
        row = outbox.add(
            session,
            phone=factories.phone(),
            member_id=None,
            kind=kind,
            language=language,
            body=body or f"text {i}",
            cause=cause,
        )
        ids.append(row.id)
    session.commit()
    return ids


def test_relay_groups_batches_and_takes_back_lost_rows(session, app):
    current = settings.Settings.from_config(
        {**app.config, "SMS_BATCH_SIZE": 1, "SMS_BROADCAST_REQUESTS_PER_JOB": 3}
    )
    sw = _write(session, 4, MessageKind.PRICE, "price:1", "sw", "bei")
    fr = _write(session, 2, MessageKind.PRICE, "price:1", "fr", "prix")
    personal = _write(session, 3)
    enqueued: list[tuple[str, list[int]]] = []
    summary = relay.scan(session, current, lambda kind, ids: enqueued.append((kind, list(ids))))
    assert summary["enqueued"] == 9
    assert sorted(ids for _, ids in enqueued) == sorted(
        [sw[:3], sw[3:], fr, personal]
    )  # one language per job, 3 requests of 1 to a job, personal messages together
    assert {m.status for m in messages()} == {S.QUEUED}

    # Nothing is due again until a lease runs out...
    enqueued.clear()
    assert relay.scan(session, current, lambda *a: enqueued.append(a))["enqueued"] == 0
    # ...then: a queued row whose job was lost, a sending row whose worker died, an
    # unknown row past its grace period, a reminder past its meeting.
    past = utcnow() - dt.timedelta(seconds=1)
    lost, dead, unsure, stale = personal[0], personal[1], personal[2], sw[0]
    for message_id, values in [
        (lost, {"lease_until": past}),
        (dead, {"status": S.SENDING, "lease_until": past}),
        (unsure, {"status": S.UNKNOWN, "lease_until": past}),
        (stale, {"expires_at": past}),
    ]:
        session.execute(update(Message).where(Message.id == message_id).values(**values))
    session.commit()
    summary = relay.scan(session, current, lambda kind, ids: enqueued.append((kind, list(ids))))
    assert (summary["expired"], summary["unknown"], summary["resent"]) == (1, 1, 1)
    status = {m.id: m for m in messages()}
    assert (status[stale].status, status[stale].failure_reason) == (S.FAILED, "expired")
    assert status[dead].status == S.UNKNOWN  # never resent blindly
    assert status[unsure].status == S.QUEUED and status[lost].status == S.QUEUED
    assert sorted(ids for _, ids in enqueued) == [sorted([lost, unsure])]


def test_two_workers_racing_for_the_same_rows_send_each_once(session, app, fake, database_url):
    ids = _write(session, 40, MessageKind.PRICE, "price:9", "sw", "bei ya leo")
    current = settings.current()
    results = []

    def worker():
        try:
            results.append(sender.send(db.session(), ids, jobs.gateway(), current))
        finally:
            db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sum(r.get("sent", 0) for r in results) == 40
    assert sorted(fake.accepted().values()) == [1] * 40
    assert {m.status for m in messages()} == {S.SENT}


@pytest.mark.parametrize(
    ("reports_in_order", "final"),
    [
        (["Sent", "Success"], S.DELIVERED),
        (["Success", "Sent"], S.DELIVERED),  # out of order: a final status stays
        (["Buffered", "Failed"], S.FAILED),
        (["Failed", "Sent"], S.FAILED),
        (["Failed", "Success"], S.DELIVERED),  # the handset has it after all
        (["Success", "Rejected"], S.DELIVERED),
    ],
)
def test_reports_only_move_forward(session, app, reports_in_order, final):
    (message_id,) = _write(session, 1)
    session.execute(
        update(Message)
        .where(Message.id == message_id)
        .values(status=S.SENT, gateway_id="ATX-1", sent_at=utcnow())
    )
    session.commit()
    parse = jobs.gateway().parse_status
    for status in reports_in_order:
        reports.apply(session, parse({"id": "ATX-1", "status": status}))
    (row,) = messages()
    assert row.status == final
    assert (row.delivered_at is not None) == (final == S.DELIVERED)


def test_a_report_for_no_known_message_is_only_logged(session, app):
    report = StatusReport("ATX-nobody", S.DELIVERED, "+243810000001")
    assert reports.apply(session, report) == "unknown"
