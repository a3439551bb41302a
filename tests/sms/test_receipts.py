"""A purchase's receipt reaches the gateway through a real worker, and delivery reports move
it forward, never back."""

from __future__ import annotations

import time

from ledger import gold
from ledger.models import MessageKind, MessageStatus
from tests import factories
from tests.sms.conftest import messages, wait_until


def buy(session, miner, site, grams=12_500, price=95_00):
    purchase = gold.record_purchase(
        session, miner=miner, site=site, weight_mg=grams, price_per_gram=price, currency="USD"
    )
    session.commit()
    return purchase


def test_receipt_reaches_the_gateway_and_reports_settle_it(session, client, fake, workers):
    coop = factories.cooperative(session)
    site = factories.site(session, coop)
    miner = factories.member(session, coop=coop, site=site, roles="member,miner", language="fr")
    miner.opted_out = True  # receipts still go
    session.commit()
    workers.start()
    # The worker is up once the first periodic relay has run (its lock is in Redis).
    wait_until(lambda: fake is not None and _relay_ran(client), 20, "the worker to start")

    started = time.monotonic()
    purchase = buy(session, miner, site)
    fake.wait_for(lambda: fake.accepted()[miner.phone] == 1, 5, "the receipt")
    latency = time.monotonic() - started
    assert latency < 2, f"receipt took {latency:.2f} s"

    (request,) = fake.requests
    assert request.path == "/version1/messaging"  # {AT_API_URL}/messaging
    assert request.headers["apiKey"] == "test-key"
    assert request.form["username"] == "sanduku"
    assert request.recipients == [miner.phone]
    assert purchase.receipt_number in request.message
    assert purchase.lot.lot_number in request.message
    assert "12,5 g" in request.message  # French formatting, in the member's language

    (row,) = wait_until(lambda: messages(status=MessageStatus.SENT), 5, "the row to be sent")
    (_code, gateway_id) = request.answers[miner.phone]
    assert (row.kind, row.gateway_id, row.cost, row.attempts) == (
        MessageKind.RECEIPT,
        gateway_id,
        "USD 0.0200",
        1,
    )
    assert (row.encoding, row.segments) == ("GSM-7", 1)

    def report(status, **extra):
        answer = client.post(
            "/sms/delivery",
            data={"id": gateway_id, "status": status, "phoneNumber": miner.phone, **extra},
        )
        assert answer.status_code == 200

    # Out of order: Success first, then a late Sent, then a stray failure: stays delivered.
    report("Success")
    wait_until(lambda: messages()[0].status == MessageStatus.DELIVERED, 5, "delivered")
    report("Sent")
    report("Failed", failureReason="DeliveryFailure")
    # A report that does change something, queued behind the stale ones, marks the end.
    second = buy(session, miner, site, grams=1_000)
    fake.wait_for(lambda: fake.accepted()[miner.phone] == 2, 5, "the second receipt")
    other_id = fake.requests[-1].answers[miner.phone][1]
    client.post("/sms/delivery", data={"id": other_id, "status": "Buffered"})
    client.post(
        "/sms/delivery",
        data={"id": other_id, "status": "Rejected", "failureReason": "UserInBlackList"},
    )
    wait_until(
        lambda: messages(cause=f"purchase:{second.id}")[0].status == MessageStatus.REJECTED,
        5,
        "the second receipt rejected",
    )
    first = messages(cause=f"purchase:{purchase.id}")[0]
    assert first.status == MessageStatus.DELIVERED and first.delivered_at is not None
    assert messages(cause=f"purchase:{second.id}")[0].failure_reason == "UserInBlackList"

    # A report for an id nobody knows is accepted (the gateway must not retry it).
    assert (
        client.post("/sms/delivery", data={"id": "ATXid_nope", "status": "Success"}).status_code
        == 200
    )
    assert client.post("/sms/delivery", data={"id": "ATXid_x", "status": "Odd"}).status_code == 200
    assert client.post("/sms/delivery", data={"status": "Success"}).status_code == 400


def _relay_ran(client) -> bool:
    return bool(client.application.extensions["redis"].exists("sanduku:periodic:relay"))
