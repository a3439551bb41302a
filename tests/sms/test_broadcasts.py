"""Price broadcasts: one request per batch of recipients sharing a text, grouped by language,
opted-out and inactive members left out, a shared phone served once."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

import pytest
import redis
from sqlalchemy import select

from ledger import db, gold
from ledger.models import Broadcast, MemberStatus, MessageKind, MessageStatus
from sms import broadcasts, relay, settings
from tests import factories
from tests.sms.conftest import messages, wait_until


def recorded(post) -> Broadcast:
    return (
        db.session().scalars(select(Broadcast).where(Broadcast.cause == f"price:{post.id}")).one()
    )


LANGS = ["sw"] * 5 + ["fr"] * 3 + ["ln"] * 2 + ["en"]


def test_price_broadcast_is_batched_by_language(session, fake, workers):
    coop = factories.cooperative(session)
    other = factories.cooperative(session, "COOPMAMBASA", "Cooperative de Mambasa")
    members = [factories.member(session, coop=coop, language=lang) for lang in LANGS]
    out = factories.member(session, coop=coop, language="sw")
    out.opted_out = True
    gone = factories.member(session, coop=coop, language="fr")
    gone.status = MemberStatus.INACTIVE
    elsewhere = factories.member(session, coop=other, language="sw")
    # A household phone: two members, same language -> one SMS.
    twin = factories.member(session, coop=coop, language="sw", number=members[0].phone)
    session.commit()

    post = gold.post_price(session, coop, usd_per_gram=95_50, cdf_per_gram=270_000_00)
    session.commit()
    # The post records the broadcast only; a worker writes it out (two members a batch here).
    assert messages(cause=f"price:{post.id}") == []
    assert broadcasts.pending(session) == [recorded(post).id]
    written = broadcasts.expand(session, replace(settings.current(), broadcast_batch=2))
    rows = messages(cause=f"price:{post.id}")
    assert written == len(rows) == len(LANGS)
    assert broadcasts.pending(session) == []
    assert {r.member_id for r in rows} == {m.id for m in members}
    assert twin.id not in {r.member_id for r in rows}
    assert all(r.kind == MessageKind.PRICE and r.expires_at is not None for r in rows)

    workers.start(SMS_BATCH_SIZE="2")
    fake.wait_for(lambda: sum(fake.accepted().values()) == len(LANGS), 10, "the broadcast")
    wait_until(
        lambda: all(r.status == MessageStatus.SENT for r in messages()), 5, "rows marked sent"
    )

    language_of = {m.phone: m.language for m in members}
    assert fake.accepted() == Counter({m.phone: 1 for m in members})
    for phone in (out.phone, gone.phone, elsewhere.phone):
        assert fake.accepted()[phone] == 0
    per_language = Counter()
    for request in fake.requests:
        langs = {language_of[p] for p in request.recipients}
        assert len(langs) == 1, "a request mixes languages"
        assert 1 <= len(request.recipients) <= 2
        assert "95.50 $" in request.message or "95,50 $" in request.message
        per_language[langs.pop()] += 1
    # ceil(n / 2) requests per language: 5 sw -> 3, 3 fr -> 2, 2 ln -> 1, 1 en -> 1
    assert per_language == Counter({"sw": 3, "fr": 2, "ln": 1, "en": 1})


def test_writing_out_a_broadcast_again_writes_nothing_twice(session):
    """A batch is written with its end in one transaction: re-running the expansion (a
    second worker, a relay after a crash) adds nothing; members added meanwhile with higher
    ids are written in a later batch; a shared phone is served once across batches."""
    coop = factories.cooperative(session)
    first = factories.member(session, coop=coop, language="fr")
    others = [factories.member(session, coop=coop, language="sw") for _ in range(4)]
    same_phone = factories.member(session, coop=coop, language="fr", number=first.phone)
    unknown = factories.member(session, coop=coop, language="sw")
    unknown.language = "xx"  # a language without words: the default's SMS
    session.commit()
    post = gold.post_price(session, coop, usd_per_gram=90_00)
    session.commit()
    tuned = replace(settings.current(), broadcast_batch=3)

    batch = broadcasts.expand_one(session, recorded(post).id, tuned)
    assert batch == 3  # ids of first and the first two others
    assert broadcasts.expand(session, tuned) == 3  # two others, unknown; same_phone skipped
    assert broadcasts.expand(session, tuned) == 0
    rows = messages(cause=f"price:{post.id}")
    assert sorted(r.member_id for r in rows) == sorted(
        [first.id, unknown.id, *(m.id for m in others)]
    )
    assert same_phone.id not in {r.member_id for r in rows}
    assert {r.language for r in rows if r.member_id == unknown.id} == {"sw"}
    assert recorded(post).done_at is not None


def test_an_expired_broadcast_is_not_written_out(session):
    coop = factories.cooperative(session)
    factories.member(session, coop=coop)
    session.commit()
    post = gold.post_price(session, coop, usd_per_gram=90_00)
    session.commit()
    expired = replace(settings.current(), price_ttl=-1)
    broadcast = recorded(post)
    broadcast.expires_at = broadcast.created_at
    db.session().commit()
    assert broadcasts.expand(db.session(), expired) == 0
    assert messages(cause=f"price:{post.id}") == []
    assert broadcasts.pending(db.session()) == []


def test_the_relay_writes_each_batch_queued_and_hands_it_over_at_once(session):
    """Written ``queued`` with a lease and handed over in jobs of a few requests right after
    each batch commits: no pending -> queued write per recipient."""
    coop = factories.cooperative(session)
    members = [factories.member(session, coop=coop, language="sw") for _ in range(5)]
    session.commit()
    post = gold.post_price(session, coop, usd_per_gram=90_00)
    session.commit()
    tuned = replace(
        settings.current(), broadcast_batch=3, batch_size=1, broadcast_requests_per_job=2
    )
    handed: list[list[int]] = []

    def send(ids):
        # Handed over only once the batch is committed: another session sees the rows.
        assert len(messages(cause=f"price:{post.id}")) >= len(ids) + sum(map(len, handed))
        handed.append(list(ids))

    assert broadcasts.expand(session, tuned, send) == 5
    rows = messages(cause=f"price:{post.id}")
    assert {r.member_id for r in rows} == {m.id for m in members}
    assert {r.status for r in rows} == {MessageStatus.QUEUED}
    assert all(r.lease_until is not None for r in rows)
    # jobs of 2 requests of 1: batch 1 (3 members) makes a job of 2 and one of 1; batch 2, one
    assert [len(ids) for ids in handed] == [2, 1, 2]
    assert sorted(i for ids in handed for i in ids) == [r.id for r in rows]


def test_a_hand_over_that_fails_leaves_the_batch_queued_for_the_relay(session):
    """Redis away after the commit: the batch stays written (queued, nothing twice) and the
    relay enqueues it again once its lease runs out."""
    coop = factories.cooperative(session)
    for _ in range(3):
        factories.member(session, coop=coop, language="fr")
    session.commit()
    post = gold.post_price(session, coop, usd_per_gram=90_00)
    session.commit()
    tuned = replace(settings.current(), broadcast_batch=10, queued_lease=-1)

    def redis_down(ids):
        raise redis.ConnectionError("Redis is away")

    with pytest.raises(redis.ConnectionError):
        broadcasts.expand(session, tuned, redis_down)
    session.rollback()
    rows = messages(cause=f"price:{post.id}")
    assert len(rows) == 3 and {r.status for r in rows} == {MessageStatus.QUEUED}
    assert broadcasts.expand(session, tuned) == 0  # written once, not again
    enqueued: list[int] = []
    relay.enqueue_due(session, tuned, lambda kind, ids: enqueued.extend(ids))
    assert sorted(enqueued) == [r.id for r in rows]
