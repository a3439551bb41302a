"""Price broadcasts: one request per batch of recipients sharing a text, grouped by language,
opted-out and inactive members left out, a shared phone served once."""

from __future__ import annotations

from collections import Counter

from ledger import gold
from ledger.models import MemberStatus, MessageKind, MessageStatus
from tests import factories
from tests.sms.conftest import messages, wait_until

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
    rows = messages(cause=f"price:{post.id}")
    assert len(rows) == len(LANGS)  # written with the post, before any worker runs
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
