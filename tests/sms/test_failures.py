"""Gateway trouble: retryable refusals retry with backoff then fail, final refusals stop at
once, and a timed-out call is ``unknown``: settled by its delivery report, or resent once
after the grace period."""

from __future__ import annotations

from ledger.models import MessageKind, MessageStatus
from sms import outbox
from tests import factories
from tests.sms.conftest import messages, wait_until

FINAL = {MessageStatus.SENT, MessageStatus.FAILED, MessageStatus.REJECTED}


def write(session, text: str) -> tuple[str, int]:
    phone = factories.phone()
    row = outbox.add(
        session,
        phone=phone,
        member_id=None,
        kind=MessageKind.REPLY,
        language="en",
        body=text,
        cause=None,
    )
    session.commit()
    return phone, row.id


def by_id(message_id: int):
    return next(m for m in messages() if m.id == message_id)


def test_retries_with_backoff_then_failed_or_rejected(session, fake, workers):
    a, a_id = write(session, "to A")  # 500, then 405 twice, then accepted
    b, b_id = write(session, "to B")  # 405 for ever
    c, c_id = write(session, "to C")  # 403: a bad number, never retried
    fake.fail_requests(1, 500)
    fake.recipient_codes(a, 405, 405, 101)
    fake.recipient_codes(b, 405)
    fake.recipient_codes(c, 403)
    workers.start()

    wait_until(lambda: all(m.status in FINAL for m in messages()), 15, "every row settled")
    ok, broke, bad = by_id(a_id), by_id(b_id), by_id(c_id)
    assert (ok.status, ok.attempts, ok.failure_reason) == (MessageStatus.SENT, 4, None)
    assert (broke.status, broke.attempts) == (MessageStatus.FAILED, 4)
    assert broke.failure_reason == "InsufficientBalance"
    assert (bad.status, bad.attempts, bad.failure_reason) == (
        MessageStatus.REJECTED,
        1,
        "InvalidPhoneNumber",
    )
    assert fake.accepted() == {a: 1}
    assert len(fake.texts_to(b)) == 4 and len(fake.texts_to(c)) == 1
    # The 500 was the first request; the retries waited for the backoff (0.3 s here).
    first_a, second_a = [r.at for r in fake.requests if a in r.recipients][:2]
    assert second_a - first_a >= 0.3


def test_timeouts_are_unknown_until_a_report_or_the_grace_period(session, client, fake, workers):
    d, d_id = write(session, "to D")
    e, e_id = write(session, "to E")
    fake.delay_requests(2, 2.0)  # beyond the 1 s read timeout
    workers.start(SMS_UNKNOWN_GRACE="3")

    wait_until(
        lambda: by_id(d_id).status == MessageStatus.UNKNOWN and len(fake.texts_to(e)) == 1,
        10,
        "both calls to time out",
    )
    assert by_id(d_id).failure_reason == "timeout"
    # D's delivery report arrives: the id is new to us, the phone has one unknown row.
    (d_gateway_id,) = [mid for mid, phone in fake.accepted_ids() if phone == d]
    answer = client.post(
        "/sms/delivery", data={"id": d_gateway_id, "status": "Success", "phoneNumber": d}
    )
    assert answer.status_code == 200
    wait_until(lambda: by_id(d_id).status == MessageStatus.DELIVERED, 5, "D settled")
    assert by_id(d_id).gateway_id == d_gateway_id

    # E never hears back: after the grace period it is sent again, once.
    wait_until(lambda: by_id(e_id).status == MessageStatus.SENT, 10, "E resent")
    assert fake.accepted()[e] == 2
    assert fake.accepted()[d] == 1
    assert by_id(e_id).attempts == 2
