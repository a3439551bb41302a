"""Logs: one JSON object a line with ``LOG_FORMAT=json``; a request id on every line, sent back
in ``X-Request-Id``, that follows an API call into the jobs it causes (the relay, the send)."""

from __future__ import annotations

import json
import logging

import pytest

from api.tokens import create_token
from ledger.models import ApiRole
from ops.logs import RequestIdFilter, configure, formatter
from sms import queue
from sms.queue import REQUEST_ID
from tests import factories


class Kept(logging.Handler):
    def __init__(self):
        super().__init__(logging.INFO)
        self.addFilter(RequestIdFilter())
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def kept():
    handler = Kept()
    logging.getLogger().addHandler(handler)
    yield handler
    logging.getLogger().removeHandler(handler)


def test_a_json_line_with_the_request_id():
    record = logging.LogRecord("sanduku.sms", logging.INFO, __file__, 1, "sent %d", (3,), None)
    token = REQUEST_ID.set("abc123def456")
    try:
        RequestIdFilter().filter(record)
    finally:
        REQUEST_ID.reset(token)
    line = json.loads(formatter("json").format(record))
    assert line["message"] == "sent 3" and line["request_id"] == "abc123def456"
    assert line["level"] == "INFO" and line["logger"] == "sanduku.sms"
    assert "asctime" in line
    assert "[abc123def456] sent 3" in formatter("text").format(record)


def test_a_bad_log_format_stops_the_start():
    with pytest.raises(ValueError, match="LOG_FORMAT"):
        configure("INFO", "xml")


def test_the_request_id_is_answered_and_a_plain_one_from_the_proxy_kept(client):
    first, second = client.get("/healthz"), client.get("/healthz")
    assert len(first.headers["X-Request-Id"]) == 16
    assert first.headers["X-Request-Id"] != second.headers["X-Request-Id"]
    kept = client.get("/healthz", headers={"X-Request-Id": "nginx-0123456789"})
    assert kept.headers["X-Request-Id"] == "nginx-0123456789"
    odd = client.get("/healthz", headers={"X-Request-Id": "a b forged; line=1"})
    assert odd.headers["X-Request-Id"] != "a b forged; line=1"
    assert REQUEST_ID.get() is None  # nothing left behind after the request


def test_the_request_id_follows_an_api_call_into_its_jobs(client, session, kept):
    coop = factories.cooperative(session)
    members = [factories.member(session, coop=coop) for _ in range(2)]
    _, token = create_token(session, "coordinator", ApiRole.COORDINATOR)
    session.commit()
    answer = client.post(
        "/api/v1/prices",
        json={"cooperative": coop.code, "usd_per_gram": "95.50"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 201
    request_id = answer.headers["X-Request-Id"]
    [kick] = queue.queue().get_jobs()
    assert kick.meta["request_id"] == request_id  # the commit's kick carries it

    from worker import Worker

    kept.records.clear()
    Worker([queue.queue()], connection=queue.connection()).work(burst=True)
    sent = [r for r in kept.records if r.name == "sanduku.sms.console"]
    assert len(sent) == len(members)  # the console gateway's line per SMS, in the send job
    assert {r.request_id for r in sent} == {request_id}
