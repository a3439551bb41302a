"""Growth is more web and worker processes around one PostgreSQL and one Redis: the web
process keeps nothing between requests, and workers claim their work atomically.

- Two workers on the same queue share a price broadcast (writing it out and sending it), of
  6,000 members on each database and of 100,000 on the last;
  one is killed with SIGKILL midway: every recipient is handed to the gateway exactly once,
  none missing (the killed worker's request in flight is settled by the gateway's reports).
- Two gunicorn instances on different ports: a USSD session started on one carries on on
  the other, hop by hop.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bench import seed
from ledger import db, gold, pins
from ledger.models import Broadcast
from tests import factories
from tests.conftest import BACKENDS
from tests.faults.test_broadcast_crash import S, handed, statuses, unknown_phones
from tests.sms.conftest import wait_until
from tests.ussd.conftest import PIN
from ussd.dial import Phone, http_transport

#: Small batches, so both workers take part in writing out and in sending; on the last
#: database, also a cooperative of 100,000 members with the default batches.
SIZES = [
    *(
        (backend, 6_000, {"SMS_BATCH_SIZE": "200", "SMS_BROADCAST_BATCH": "500"})
        for backend in BACKENDS
    ),
    # Jobs of a broadcast this size wait in the queue longer than the tests' 3 s lease
    # (tests/sms/conftest.py): a lease that short would have the relay enqueue them again
    # and again while they wait.
    (BACKENDS[-1], 100_000, {"SMS_QUEUED_LEASE": "30"}),
]


def written_out(cause: str) -> tuple[int, bool]:
    with Session(db.engine()) as s:
        row = s.execute(
            select(Broadcast.after_member_id, Broadcast.done_at).where(Broadcast.cause == cause)
        ).one()
        return row[0], row[1] is not None


@pytest.mark.parametrize(
    ("database_url", "recipients", "batches"),
    SIZES,
    indirect=["database_url"],
    ids=[f"{backend}-{n}" for backend, n, _ in SIZES],
)
def test_two_workers_share_a_broadcast_and_one_is_killed_midway(
    session, client, fake, workers, database_url, recipients, batches
):
    coop = factories.cooperative(session)
    phones = {p for _, p in seed.members(session, recipients, coop=coop, first_number=7_000_000)}
    session.commit()
    tuning = {**batches, "SMS_UNKNOWN_GRACE": "45"}
    first = workers.start(**tuning)
    workers.start(**tuning)
    post = gold.post_price(session, coop, usd_per_gram=95_00, cdf_per_gram=270_000_00)
    session.commit()
    cause = f"price:{post.id}"

    fake.wait_for(lambda: handed(fake) >= recipients // 4, 120, "the broadcast to be under way")
    workers.kill(first)  # wherever it is: writing out, claiming, calling, recording

    reported: set[str] = set()

    def settled() -> bool:
        accepted_ids = dict((phone, gid) for gid, phone in fake.accepted_ids())
        for phone in unknown_phones(cause):
            if phone in accepted_ids and phone not in reported:
                answer = client.post(
                    "/sms/delivery",
                    data={"id": accepted_ids[phone], "status": "Success", "phoneNumber": phone},
                )
                assert answer.status_code == 200
                reported.add(phone)
        counts = statuses(cause)
        return counts[S.SENT] + counts[S.DELIVERED] == recipients

    wait_until(settled, max(120, recipients / 400), "every row sent or delivered", every=0.2)
    assert sum(statuses(cause).values()) == recipients  # one row each
    assert written_out(cause)[1]
    accepted = fake.accepted()
    twice = sorted(p for p, n in accepted.items() if n > 1)
    assert not twice, f"{len(twice)} recipients handed over more than once"
    assert set(accepted) == phones


def test_two_web_instances_share_ussd_sessions(session, web, database_url, redis_url):
    coop = factories.cooperative(session)
    group = factories.group(session, coop)
    member = factories.member(session, group, language="en", coop=coop)
    pins.set_pin(session, member, PIN)
    session.commit()
    one, two = web(database_url, redis_url), web(database_url, redis_url)
    assert one.port != two.port
    on_one = Phone(http_transport(one.url("/ussd")), member.phone)
    on_two = Phone(http_transport(two.url("/ussd")), member.phone)
    on_two.session_id = on_one.session_id  # the gateway's session, whichever server answers

    assert "My savings" in on_one.dial()
    on_two.replies = list(on_one.replies)
    assert "PIN" in on_two.reply("1")
    on_one.replies = list(on_two.replies)
    savings = on_one.reply(PIN)
    assert savings.startswith("CON Groupe VSLA1\n"), savings
    # The retry of that hop, answered by the other instance from the shared state.
    on_two.replies = list(on_one.replies)
    assert on_two.resend() == savings
