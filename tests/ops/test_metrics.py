"""``GET /metrics``: scraped after a USSD walk, an API call and a price broadcast (sent by an RQ
worker to the fake gateway, one recipient refused for want of credit) and a balance check;
each is counted. Behind ``METRICS_TOKEN``; under gunicorn the workers' counts add up."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families
from rq import SimpleWorker
from sqlalchemy import func, select

from api.tokens import create_token
from ledger import db
from ledger.models import ApiRole, Message, MessageKind
from sms import jobs, queue
from tests import factories, services
from tests.fake_gateway import FakeGateway
from tests.sms.conftest import app_config
from tests.waiting import wait_until

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "metrics-token-for-tests"


@pytest.fixture
def fake():
    gateway = FakeGateway().start()
    yield gateway
    gateway.stop()


@pytest.fixture
def app(database_url, redis_url, fake):
    yield from services.running_app(app_config(database_url, redis_url, fake, METRICS_TOKEN=TOKEN))


def scrape(client) -> Counter:
    """Every sample: (name, labels as sorted tuples) -> value."""
    answer = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("text/plain; version=")
    samples = Counter()
    for family in text_string_to_metric_families(answer.get_data(as_text=True)):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] += sample.value
    return samples


def total(samples: Counter, name: str, **labels: str) -> float:
    return sum(
        value
        for (n, have), value in samples.items()
        if n == name and set(labels.items()) <= set(have)
    )


def test_metrics_need_the_token(app):
    client = app.test_client()
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.get("/metrics", headers={"Authorization": TOKEN}).status_code == 401
    app.config["METRICS_TOKEN"] = None
    assert client.get("/metrics").status_code == 200


def test_a_ussd_walk_an_api_call_a_broadcast_and_the_balance_are_counted(app, session, fake):
    coop = factories.cooperative(session)
    members = [factories.member(session, coop=coop) for _ in range(3)]
    coordinator = factories.member(session, coop=coop, roles="member,coordinator", language="fr")
    _, token = create_token(session, "coordinator", ApiRole.COORDINATOR)
    session.commit()
    fake.recipient_codes(members[0].phone, 405)  # InsufficientBalance, every time
    client = app.test_client()
    before = scrape(client)

    # A USSD walk: a member dials and answers; a stranger; a call without the token.
    gateway = {"X-Callback-Token": services.CALLBACK_TOKEN}
    for text in ("", "1"):
        form = {"sessionId": "m1", "phoneNumber": members[1].phone, "text": text}
        assert client.post("/ussd", data=form, headers=gateway).status_code == 200
    stranger = {"sessionId": "s1", "phoneNumber": "+243899999999", "text": ""}
    # A number we do not know: told so, and offered to report an incident.
    assert client.post("/ussd", data=stranger, headers=gateway).get_data().startswith(b"CON")
    assert client.post("/ussd", data=stranger).status_code == 403

    # An API call that broadcasts the price to the cooperative.
    answer = client.post(
        "/api/v1/prices",
        json={"cooperative": coop.code, "usd_per_gram": "95.50"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 201, answer.json
    jobs.scan_outbox()
    SimpleWorker([queue.queue()], connection=queue.connection()).work(burst=True)
    session = db.session()  # the jobs, in this thread, removed the one we had
    assert sum(fake.accepted().values()) == 3  # everyone but the one without credit

    # The worker's balance check: under SMS_BALANCE_LOW (5): flagged, coordinators told once.
    fake.balance = "USD 2.5000"
    assert jobs.check_balance()["alerted"] == 1
    assert jobs.check_balance()["alerted"] == 0
    after = scrape(client)

    def delta(name: str, **labels: str) -> float:
        return total(after, name, **labels) - total(before, name, **labels)

    assert delta("sanduku_ussd_hops_total") == 4
    assert delta("sanduku_ussd_hops_total", outcome="continue") >= 1  # the first screen
    assert delta("sanduku_ussd_hops_total", screen="stranger", outcome="continue") == 1
    assert delta("sanduku_ussd_hops_total", outcome="refused") == 1
    assert delta("sanduku_ussd_hop_seconds_count") == 4
    walked = [labels for (n, labels), v in after.items() if n == "sanduku_ussd_hops_total"]
    assert any(dict(labels)["screen"] not in ("none",) for labels in walked)
    assert delta("sanduku_api_requests_total", route="/api/v1/prices", status="201") == 1
    assert delta("sanduku_api_request_seconds_count", route="/api/v1/prices") == 1

    by_state = dict(
        session.execute(select(Message.status, func.count()).group_by(Message.status)).all()
    )
    assert by_state  # the broadcast and the alert
    for state, count in by_state.items():
        assert total(after, "sanduku_messages", state=str(state)) == count
    assert total(after, "sanduku_messages", state="sent") == 3
    assert total(after, "sanduku_messages", state="pending") == 2  # retry later + the alert
    assert total(after, "sanduku_gateway_errors_total", kind="InsufficientBalance") == 1
    # the alert's commit kicked the relay: one job waits (no worker runs now)
    assert total(after, "sanduku_rq_queue_length", queue="sms") == queue.queue().count == 1
    assert total(after, "sanduku_oldest_queued_message_age_seconds") < 60
    assert total(after, "sanduku_sms_balance", currency="USD") == 2.5
    assert total(after, "sanduku_sms_balance_low") == 1
    assert total(after, "sanduku_scrape_errors") == 0
    [alert] = session.scalars(select(Message).where(Message.kind == MessageKind.ALERT)).all()
    assert alert.member_id == coordinator.id and "Africa's Talking" in alert.body
    assert "2.5000" in alert.body and alert.language == "fr"
    for text in (members[1].phone, "95.50", "Sanduku: "):  # no label holds a phone or a text
        assert text not in str(list(after))


def test_a_balance_back_above_the_threshold_clears_the_flag(app, session, fake):
    fake.balance = "USD 3.0000"
    assert jobs.check_balance()["low"] is True
    fake.balance = "USD 50.0000"
    assert jobs.check_balance() == {
        "balance": "50.0000",
        "currency": "USD",
        "low": False,
        "alerted": 0,
    }
    assert total(scrape(app.test_client()), "sanduku_sms_balance_low") == 0
    assert fake.balance_requests[-1]["apiKey"] == "test-key"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_gunicorn_workers_add_up_in_multiprocess_mode(database_url, redis_url, tmp_path):
    """Under deploy/gunicorn.conf.py with PROMETHEUS_MULTIPROC_DIR, whichever of the workers
    serves the scrape, it counts every worker's hops."""
    port = _free_port()
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("FLASK", "AT_", "SMS_"))},
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "SMS_BACKEND": "console",
        "CALLBACK_TOKEN": "",
        "SECRET_KEY": services.SECRET_KEY,
        "WEB_CONCURRENCY": "3",
        "SANDUKU_BIND": f"127.0.0.1:{port}",
        "SANDUKU_ACCESS_LOG": str(tmp_path / "access.log"),
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
    }
    log = (tmp_path / "gunicorn.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:

        def up() -> bool:
            try:
                return requests.get(f"{url}/healthz", timeout=2).ok
            except requests.ConnectionError:
                assert proc.poll() is None, (tmp_path / "gunicorn.log").read_text()
                return False

        wait_until(up, 60, "gunicorn")
        stranger = {"phoneNumber": "+243899999999", "text": ""}
        for n in range(30):  # a new connection each: spread over the workers
            answer = requests.post(f"{url}/ussd", data={**stranger, "sessionId": f"g{n}"})
            assert answer.text.startswith("CON")
        counts = set()
        for _ in range(6):
            families = text_string_to_metric_families(requests.get(f"{url}/metrics").text)
            hops = [f for f in families if f.name == "sanduku_ussd_hops"]
            counts.add(sum(s.value for s in hops[0].samples if s.name.endswith("_total")))
        assert counts == {30.0}
        assert len(list(metrics_dir.glob("counter_*.db"))) >= 2  # more than one worker counted
    finally:
        proc.terminate()
        proc.wait(30)
