"""A worker killed with SIGKILL twice in a 10,000-recipient price broadcast, then restarted:
once while the gateway holds a request it has already accepted, once at whatever moment the
broadcast has reached. Every recipient is handed to the gateway exactly once.

The rows of a request cut off by the kill become ``unknown``; the gateway's delivery reports
settle the ones it took (as Africa's Talking sends them), and the grace period resends the
ones it never saw."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bench import seed
from ledger import db, gold
from ledger.models import Message, MessageStatus
from tests import factories
from tests.sms.conftest import wait_until

S = MessageStatus
RECIPIENTS = 10_000
#: 40 requests of 250; a dead claim is unknown after 3 s and, with no report, resent 45 s
#: later: long enough for the reports of what the gateway did take to arrive first, even on
#: a machine busy enough that the test posts them slowly (15 s was not, at a load of 9 on
#: two cores).
TUNING = {"SMS_BATCH_SIZE": "250", "SMS_UNKNOWN_GRACE": "45"}


def statuses(cause: str) -> Counter:
    with Session(db.engine()) as s:
        query = (
            select(Message.status, func.count())
            .where(Message.cause == cause)
            .group_by(Message.status)
        )
        return Counter(dict(s.execute(query).all()))


def unknown_phones(cause: str) -> list[str]:
    with Session(db.engine()) as s:
        query = select(Message.phone).where(Message.cause == cause, Message.status == S.UNKNOWN)
        return list(s.scalars(query))


def handed(fake) -> int:
    with fake.changed:
        return sum(len(r.answers) for r in fake.requests)


def test_worker_killed_twice_mid_broadcast_of_10000_then_restarted(session, client, fake, workers):
    coop = factories.cooperative(session)
    phones = {p for _, p in seed.members(session, RECIPIENTS, coop=coop, first_number=5_000_000)}
    session.commit()

    fake.hold_after(12)  # twelve requests answered; the gateway takes the 13th and holds it
    first = workers.start(**TUNING)
    post = gold.post_price(session, coop, usd_per_gram=95_00, cdf_per_gram=270_000_00)
    session.commit()
    cause = f"price:{post.id}"  # recorded with the post, written out by the worker
    fake.wait_for(lambda: fake.held >= 1, 60, "a request held by the gateway")
    workers.kill(first)
    fake.release()

    second = workers.start(**TUNING)
    fake.wait_for(lambda: handed(fake) >= 6_000, 60, "the broadcast to carry on")
    workers.kill(second)  # wherever it is: claiming, calling the gateway, recording
    workers.start(**TUNING)
    workers.start(**TUNING)

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
        return counts[S.SENT] + counts[S.DELIVERED] == RECIPIENTS

    wait_until(settled, 120, "every row sent or delivered", every=0.2)
    accepted = fake.accepted()
    twice = sorted(p for p, n in accepted.items() if n > 1)
    assert not twice, f"{len(twice)} recipients handed over more than once"
    assert set(accepted) == phones
    # The held request's rows could not know the gateway took them: its reports told.
    assert len(reported) >= 250
    assert statuses(cause)[S.DELIVERED] == len(reported)
