"""A price broadcast through a gateway in trouble: whole requests answered 500, a request
answered only after the read timeout, recipients refused for insufficient balance (405)
before they are accepted, a bad number (403). Once the gateway recovers every member has the
price exactly once: the 500s and 405s were retried, the timed-out request was not sent again
(its rows waited, ``unknown``, for the delivery reports), the bad number was tried once."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bench import seed
from ledger import db, gold
from ledger.models import Message, MessageStatus
from tests import factories
from tests.sms.conftest import wait_until

S = MessageStatus
MEMBERS = 1_200  # 400 in each of three languages: four requests of 100 per language
FIRST = 6_000_000
FINAL = {S.SENT, S.DELIVERED, S.REJECTED}


def rows(cause: str) -> dict[str, Message]:
    with Session(db.engine()) as s:
        return {m.phone: m for m in s.scalars(select(Message).where(Message.cause == cause))}


def test_broadcast_through_gateway_trouble_goes_out_once(session, client, fake, workers):
    coop = factories.cooperative(session)
    phones = [p for _, p in seed.members(session, MEMBERS, coop=coop, first_number=FIRST)]
    session.commit()
    # Jobs go language by language in member order, so the members of the third language
    # with the highest numbers are in the last request, far from the scripted failures.
    last_language = [p for i, p in enumerate(phones) if i % 3 == 2][-7:]
    short_of_credit, bad = last_language[:6], last_language[6]
    for phone in short_of_credit:
        fake.recipient_codes(phone, 405, 405, 101)
    fake.recipient_codes(bad, 403)
    fake.fail_requests(3, 500)  # the first three requests fail as a whole
    fake.delay_requests(3, 0.0)
    fake.delay_requests(1, 2.5)  # the fourth is taken, but answered after the 1 s timeout

    # One request a job: the scripted failures then fall on requests in member order.
    workers.start(SMS_BATCH_SIZE="100", SMS_BROADCAST_REQUESTS_PER_JOB="1")
    post = gold.post_price(session, coop, usd_per_gram=95_00)
    session.commit()
    cause = f"price:{post.id}"

    reported: set[str] = set()

    def recovered() -> bool:
        found = rows(cause)
        accepted_ids = {phone: gid for gid, phone in fake.accepted_ids()}
        for phone, row in found.items():
            if row.status == S.UNKNOWN and phone in accepted_ids and phone not in reported:
                report = {"id": accepted_ids[phone], "status": "Success", "phoneNumber": phone}
                assert client.post("/sms/delivery", data=report).status_code == 200
                reported.add(phone)
        # The worker writes the broadcast's rows: every member has one, each settled.
        return len(found) == len(phones) and {row.status for row in found.values()} <= FINAL

    wait_until(recovered, 60, "the broadcast to get through", every=0.2)

    found = rows(cause)
    failed_whole = {p for r in fake.requests[:3] for p in r.recipients}
    timed_out = set(fake.requests[3].recipients)
    assert [r.http_status for r in fake.requests[:4]] == [500, 500, 500, 200]
    assert len(failed_whole) == 300 and len(timed_out) == 100
    assert reported == timed_out  # settled by their reports, not sent again

    accepted = fake.accepted()
    assert set(accepted) == set(phones) - {bad}
    assert set(accepted.values()) == {1}, "a member got the price twice"
    for phone in failed_whole:
        assert len(fake.texts_to(phone)) == 2 and found[phone].attempts == 2
    for phone in timed_out:
        assert len(fake.texts_to(phone)) == 1 and found[phone].status == S.DELIVERED
    for phone in short_of_credit:
        assert len(fake.texts_to(phone)) == 3
        assert (found[phone].status, found[phone].attempts) == (S.SENT, 3)
    assert len(fake.texts_to(bad)) == 1
    assert (found[bad].status, found[bad].failure_reason) == (S.REJECTED, "InvalidPhoneNumber")
