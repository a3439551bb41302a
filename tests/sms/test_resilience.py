"""Crashes and outages: a worker killed mid-broadcast, several workers at once, Redis stopped
while receipts are recorded, and a graceful SIGTERM. Every recipient is handed to the
gateway exactly once."""

from __future__ import annotations

import signal
from collections import Counter

import pytest

from ledger import db, gold
from ledger.models import MessageStatus
from tests import factories
from tests.faults.processes import OwnRedis
from tests.sms.conftest import app_config, messages, wait_until
from wsgi import create_app

S = MessageStatus


def test_worker_killed_mid_broadcast_then_restarted(session, client, fake, workers):
    coop = factories.cooperative(session)
    members = [
        factories.member(session, coop=coop, language=("sw", "fr")[n % 2]) for n in range(40)
    ]
    session.commit()
    fake.hold_after(3)  # three batches answered, the fourth hangs in the gateway
    first = workers.start(SMS_BATCH_SIZE="4")
    gold.post_price(session, coop, usd_per_gram=95_00)
    session.commit()
    fake.wait_for(lambda: fake.held >= 1, 10, "a batch in flight")

    workers.kill(first)  # SIGKILL while the gateway holds the fourth request
    fake.release()
    workers.start(SMS_BATCH_SIZE="4")
    workers.start(SMS_BATCH_SIZE="4")  # and several workers share the rest

    phones = {m.phone for m in members}
    fake.wait_for(lambda: set(fake.accepted()) == phones, 20, "every member served")
    wait_until(lambda: {m.status for m in messages()} <= {S.SENT, S.UNKNOWN}, 10, "rows settled")
    statuses = Counter(m.status for m in messages())
    # The batch in flight when the worker died: its rows cannot know, so they are unknown.
    assert statuses[S.UNKNOWN] == 4 and statuses[S.SENT] == 36

    # The gateway's delivery reports settle them: nothing is sent twice.
    for gateway_id, phone in fake.accepted_ids():
        answer = client.post(
            "/sms/delivery", data={"id": gateway_id, "status": "Success", "phoneNumber": phone}
        )
        assert answer.status_code == 200
    wait_until(lambda: {m.status for m in messages()} == {S.DELIVERED}, 10, "every row delivered")
    assert fake.accepted() == Counter(dict.fromkeys(phones, 1))
    assert all(len(r.recipients) <= 4 for r in fake.requests)


@pytest.fixture
def own_redis(tmp_path):
    server = OwnRedis(tmp_path)
    server.start()
    yield server
    server.stop()


def test_receipts_recorded_while_redis_is_down_go_out_once_it_is_back(
    session, fake, workers, own_redis, database_url
):
    coop = factories.cooperative(session)
    site = factories.site(session, coop)
    miners = [factories.member(session, coop=coop, site=site) for _ in range(3)]
    session.commit()
    create_app(app_config(database_url, own_redis.url, fake))  # this process uses it too
    workers.start(REDIS_URL=own_redis.url)
    wait_until(lambda: _relay_ran(own_redis.url), 10, "the worker to start")

    own_redis.stop()
    for miner in miners:
        gold.record_purchase(
            session, miner=miner, site=site, weight_mg=5_000, price_per_gram=95_00, currency="USD"
        )
        session.commit()  # commits although the kick cannot reach Redis
    assert len(messages(status=S.PENDING)) == 3

    own_redis.start()  # empty: whatever was in Redis is gone
    phones = {m.phone for m in miners}
    fake.wait_for(lambda: set(fake.accepted()) == phones, 20, "the receipts after the outage")
    wait_until(lambda: [m.status for m in messages()] == [S.SENT] * 3, 5, "rows sent")
    assert fake.accepted() == Counter(dict.fromkeys(phones, 1))
    db.session.remove()


def _relay_ran(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url).exists("sanduku:periodic:relay"))
    except redis.RedisError:
        return False


def test_sigterm_finishes_the_job_in_hand(session, fake, workers):
    coop = factories.cooperative(session)
    member = factories.member(session, coop=coop)
    session.commit()
    fake.delay_requests(1, 0.8)  # a slow (but not timed out) gateway call
    worker = workers.start()
    gold.post_price(session, coop, usd_per_gram=95_00)
    session.commit()
    fake.wait_for(lambda: len(fake.requests) == 1, 10, "the call to start")
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(10) == 0
    assert [m.status for m in messages()] == [S.SENT]  # the call in hand was recorded
    assert fake.accepted() == {member.phone: 1}
