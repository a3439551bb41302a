"""Error tracking (sentry-sdk) with ``SENTRY_DSN``: events captured in memory (a transport of
our own: nothing goes on the network) from a USSD hop that fails, an unhandled error in a
view, and a failing RQ job; none of them holds a phone number, a PIN or an SMS text."""

from __future__ import annotations

import json

import pytest
import sentry_sdk
from rq import SimpleWorker
from sentry_sdk.transport import Transport

from ledger import db
from ops.tracking import FILTERED, scrub
from sms import queue
from tests import services
from wsgi import create_app

PHONE = "+243810000001"
PIN = "2580"
SMS = "Recu R-000123: 12.5 g x 95 $/g = 1187.50 $"
DSN = "https://public@sentry.example.invalid/1"


class Capture(Transport):
    """Keeps every event sentry-sdk would have sent."""

    def __init__(self, options=None):
        super().__init__(options)
        self.events: list[dict] = []

    def capture_envelope(self, envelope) -> None:
        for item in envelope.items:
            if item.type == "event":
                self.events.append(item.payload.json)


@pytest.fixture
def captured(database_url, redis_url):
    transport = Capture()
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "SMS_BACKEND": "console",
            "CALLBACK_TOKEN": "a-callback-token",
            "SECRET_KEY": services.SECRET_KEY,
            "SENTRY_DSN": DSN,
            "SENTRY_TRANSPORT": transport,
        }
    )
    app.extensions["redis"].flushdb()
    sentry_sdk.get_isolation_scope().clear_breadcrumbs()  # what earlier tests left
    sentry_sdk.get_global_scope().clear_breadcrumbs()
    with app.app_context():
        yield app, transport
    db.session.remove()
    sentry_sdk.get_client().close()
    sentry_sdk.init()  # no DSN: off again for the other tests


def _leaks(events: list[dict]) -> list[str]:
    dumped = json.dumps(events)
    secrets = (PHONE, PHONE[1:], "0810000001", PIN, f"1*{PIN}", SMS, "Recu R-000123")
    secrets += ("a-callback-token", "token-x", "12.5 g x 95")
    return [secret for secret in secrets if secret in dumped]


def test_a_failing_ussd_hop_is_reported_without_phone_pin_or_text(captured, monkeypatch):
    app, transport = captured
    from ussd import conversation

    def broken(client, session, request, phone, *args):
        raise RuntimeError(f"no screen for {phone} after {request.text}; last SMS: {SMS}")

    monkeypatch.setattr(conversation, "_answer", broken)
    answer = app.test_client().post(
        "/ussd?token=a-callback-token",
        data={"sessionId": "s-1", "phoneNumber": PHONE, "text": f"1*{PIN}"},
        headers={"User-Agent": "AT"},
    )
    assert answer.get_data(as_text=True).startswith("END")  # the member still gets a screen
    sentry_sdk.flush()
    assert transport.events, "nothing captured"
    [event] = transport.events
    assert event["exception"]["values"][0]["type"] == "RuntimeError"
    assert event["exception"]["values"][0]["value"] == FILTERED  # it quoted the text
    assert event["logentry"]["message"] == "ussd request failed: session %r"
    functions = [f["function"] for f in event["exception"]["values"][0]["stacktrace"]["frames"]]
    assert "broken" in functions  # what a developer needs is kept
    assert _leaks(transport.events) == [], json.dumps(event)[:2000]


def test_an_unhandled_error_in_a_view_keeps_the_request_out(captured):
    app, transport = captured

    @app.post("/boom")
    def boom():
        raise ValueError(f"cannot text {PHONE}")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    answer = app.test_client().post(
        "/boom?token=a-callback-token",
        data={"phoneNumber": PHONE, "text": SMS, "pin": PIN},
        headers={"X-Callback-Token": "a-callback-token", "Authorization": "Bearer token-x"},
    )
    assert answer.status_code == 500
    sentry_sdk.flush()
    [event] = transport.events
    assert event["exception"]["values"][0]["type"] == "ValueError"
    request = event.get("request", {})
    assert request.get("data") in (None, "", FILTERED, {})
    assert "a-callback-token" not in json.dumps(event) and "token-x" not in json.dumps(event)
    assert _leaks(transport.events) == []


def failing_job(phone: str, body: str) -> None:
    """A job whose arguments hold a phone and a text (ours hold ids: this is the worst case)."""
    raise RuntimeError(f"gateway refused {phone} ({len(body)} characters)")


def test_a_failing_job_is_reported_without_its_arguments(captured):
    _app, transport = captured
    queue.enqueue(failing_job, PHONE, SMS)
    SimpleWorker([queue.queue()], connection=queue.connection()).work(burst=True)
    sentry_sdk.flush()
    assert transport.events, "nothing captured"
    event = transport.events[-1]
    assert event["exception"]["values"][-1]["type"] == "RuntimeError"
    assert event["timestamp"] != FILTERED and "[Filtered]" not in event["timestamp"]
    assert _leaks(transport.events) == [], json.dumps(event)[:2000]


def test_the_scrubber_on_its_own():
    event = {
        "message": f"member {PHONE} typed 1*{PIN}*3 from 0810000001",
        "extra": {"body": SMS, "member_id": 12, "nested": [{"phoneNumber": PHONE}]},
        "tags": {"screen": "savings"},
    }
    cleaned = scrub(event)
    assert cleaned["extra"]["body"] == FILTERED
    assert cleaned["extra"]["member_id"] == 12 and cleaned["tags"] == {"screen": "savings"}
    assert cleaned["extra"]["nested"] == [{"phoneNumber": FILTERED}]
    assert PHONE not in cleaned["message"] and PIN not in cleaned["message"]
    assert "0810000001" not in cleaned["message"]
