"""``GET /healthz/worker``: 200 only when a worker's relay ran within 60 s and the oldest
message waiting for the gateway is younger than 5 minutes; the figures in the body."""

from __future__ import annotations

import datetime as dt
import time

import redis

from ledger import db
from ledger.models import Message, MessageKind, MessageStatus, utcnow
from ops import health
from tests.fake_gateway import FakeGateway
from tests.sms.conftest import Workers
from tests.waiting import wait_until


def _message(session, minutes_old: float, status=MessageStatus.PENDING) -> Message:
    message = Message(
        phone="+243810000001",
        kind=MessageKind.RECEIPT,
        language="sw",
        body="x",
        status=status,
        created_at=utcnow() - dt.timedelta(minutes=minutes_old),
    )
    session.add(message)
    session.commit()
    return message


def test_healthy_when_the_relay_ran_and_nothing_waits(app, client):
    health.mark_finished(app.extensions["redis"], "relay", time.time() - 5)
    response = client.get("/healthz/worker")
    assert response.status_code == 200
    body = response.json
    assert body["status"] == "ok" and body["problems"] == []
    assert 5 <= body["relay_seconds_ago"] < 60
    assert body["oldest_queued_seconds"] is None
    assert body["relay_max_age_seconds"] == 60
    assert body["oldest_queued_max_age_seconds"] == 300


def test_healthy_with_young_messages_waiting(app, client, session):
    health.mark_finished(app.extensions["redis"], "relay")
    _message(session, minutes_old=4)
    _message(session, minutes_old=30, status=MessageStatus.SENT)  # gone: not waiting
    response = client.get("/healthz/worker")
    assert response.status_code == 200
    assert 235 <= response.json["oldest_queued_seconds"] < 300


def test_no_worker_ever_ran(client):
    response = client.get("/healthz/worker")
    assert response.status_code == 503
    assert response.json["relay_seconds_ago"] is None
    assert response.json["problems"] == ["no worker's relay has run"]


def test_the_relay_has_not_run_for_a_minute(app, client):
    health.mark_finished(app.extensions["redis"], "relay", time.time() - 61)
    response = client.get("/healthz/worker")
    assert response.status_code == 503
    assert response.json["relay_seconds_ago"] >= 61
    assert response.json["problems"] == ["the relay has not run lately"]


def test_a_message_waits_five_minutes(app, client, session):
    health.mark_finished(app.extensions["redis"], "relay")
    _message(session, minutes_old=5.5, status=MessageStatus.QUEUED)
    response = client.get("/healthz/worker")
    assert response.status_code == 503
    assert response.json["oldest_queued_seconds"] >= 330
    assert response.json["problems"] == ["messages wait too long for the gateway"]


def test_redis_down(app, client):
    app.extensions["redis"] = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2)
    response = client.get("/healthz/worker")
    assert response.status_code == 503
    assert response.json["problems"] == ["redis: error: ConnectionError"]


def test_database_down(app, client, database_url):
    db.configure("postgresql://127.0.0.1:1/none")
    try:
        health.mark_finished(app.extensions["redis"], "relay")
        response = client.get("/healthz/worker")
    finally:
        db.configure(database_url)
    assert response.status_code == 503
    assert response.json["problems"] == ["database: error: OperationalError"]


def test_a_real_worker_makes_it_healthy(app, client, database_url, redis_url, tmp_path):
    """``python worker.py`` writes the heartbeat; once it is stopped the heartbeat ages."""
    assert client.get("/healthz/worker").status_code == 503
    fake = FakeGateway().start()
    workers = Workers(database_url, redis_url, fake, tmp_path)
    try:
        proc = workers.start(SMS_RELAY_INTERVAL="0.3", CALLBACK_ALLOW="127.0.0.1/32")
        wait_until(lambda: client.get("/healthz/worker").status_code == 200, 30, "a healthy worker")
        workers.terminate(proc, timeout=60)  # a loaded machine may be slow to stop
    finally:
        workers.stop_all()
        fake.stop()
    assert "worker: " not in workers.log_text()  # the start check found nothing to say
