"""The gateways on their own: the SDK pointed at AT_API_URL in one place, answers mapped to
our outcomes, the console gateway, and the parsing of AT's callbacks."""

from __future__ import annotations

import datetime as dt
import logging

from ledger.models import MessageStatus
from sms.gateways import Outcome, make_gateway
from sms.gateways.africastalking import parse_inbound, parse_status
from sms.settings import Settings


def at_settings(fake, **extra) -> Settings:
    return Settings(
        backend="africastalking",
        at_username="sanduku",
        at_api_key="k",
        at_api_url=fake.url,
        timeout=(1.0, 1.0),
        **extra,
    )


def test_the_sdk_posts_to_the_configured_base_url(fake):
    gateway = make_gateway(at_settings(fake, at_sender_id="SANDUKU"))
    assert gateway.url == f"{fake.url}/messaging"
    fake.recipient_codes("+243810000002", 403)
    results = gateway.send("Habari", ["+243810000001", "+243810000002", "0810000003"])
    (request,) = fake.requests
    assert request.path == "/version1/messaging"
    assert request.form["from"] == "SANDUKU" and request.form["bulkSMSMode"] == "1"
    assert request.recipients == ["+243810000001", "+243810000002"]  # not the local number
    by_phone = {r.phone: r for r in results}
    assert by_phone["+243810000001"].outcome == Outcome.ACCEPTED
    assert by_phone["+243810000001"].gateway_id.startswith("ATXid_")
    assert by_phone["+243810000002"].outcome == Outcome.REJECTED
    assert by_phone["0810000003"].outcome == Outcome.REJECTED


def test_gateway_trouble_becomes_retry_or_unknown(fake):
    gateway = make_gateway(at_settings(fake))
    fake.fail_requests(1, 503)
    (result,) = gateway.send("x", ["+243810000001"])
    assert result.outcome == Outcome.RETRY
    fake.delay_requests(1, 1.5)
    (result,) = gateway.send("x", ["+243810000001"])
    assert (result.outcome, result.reason) == (Outcome.UNKNOWN, "timeout")
    fake.recipient_codes("+243810000001", 405)
    (result,) = gateway.send("x", ["+243810000001"])
    assert (result.outcome, result.reason) == (Outcome.RETRY, "InsufficientBalance")
    fake.stop()  # nobody listening: nothing can have gone out
    (result,) = gateway.send("x", ["+243810000001"])
    assert (result.outcome, result.reason) == (Outcome.RETRY, "gateway unreachable")


def test_console_gateway_accepts_and_shows_texts_only_at_debug(caplog):
    gateway = make_gateway(Settings(backend="console"))
    with caplog.at_level(logging.INFO, logger="sanduku.sms.console"):
        (result,) = gateway.send("Bei ya dhahabu", ["+243810000001"])
    assert result.outcome == Outcome.ACCEPTED and result.gateway_id.startswith("console-")
    assert result.gateway_id in caplog.text
    assert "Bei ya dhahabu" not in caplog.text and "810000001" not in caplog.text
    with caplog.at_level(logging.DEBUG, logger="sanduku.sms.console"):
        gateway.send("Bei ya dhahabu", ["+243810000001"])
    assert "Bei ya dhahabu" in caplog.text and "+243810000001" in caplog.text


def test_callbacks_are_parsed():
    report = parse_status(
        {
            "id": "ATX1",
            "status": "Rejected",
            "phoneNumber": "+243810000001",
            "failureReason": "UserInBlackList",
            "networkCode": "63001",
        }
    )
    assert (report.status, report.reason) == (MessageStatus.REJECTED, "UserInBlackList")
    assert parse_status({"id": "ATX1", "status": "Success"}).status == MessageStatus.DELIVERED
    assert parse_status({"id": "ATX1", "status": "Buffered"}).status == MessageStatus.SENT
    assert parse_status({"id": "ATX1", "status": "Whatever"}) is None
    assert parse_status({"status": "Success"}) is None
    for date in ("2026-01-02T15:04:05Z", "2026-01-02 15:04:05"):
        sms = parse_inbound(
            {
                "from": "+243 81 000 0001",
                "to": "12345",
                "text": "bei",
                "date": date,
                "id": "in-1",
                "linkId": "L1",
            }
        )
        assert (sms.phone, sms.text, sms.link_id) == ("+243810000001", "bei", "L1")
        assert sms.received_at == dt.datetime(2026, 1, 2, 15, 4, 5)
    assert parse_inbound({"from": "+243810000001", "text": "x"}) is None
