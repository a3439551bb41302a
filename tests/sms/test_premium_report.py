"""The coordinators' daily SMS of premiums not fully paid: written by the hourly scan from
07:00 local (the time injected), once a day, to the cooperative's own coordinators only, in
each one's language, one GSM-7 segment, the longest-waiting premium first."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from ledger.models import MessageKind, Payout, PayoutState, utcnow
from ledger.premiums.approve import approve
from ledger.premiums.plan import plan_premium
from ledger.premiums.report import cooperatives_waiting, report
from locales import translator
from locales.gsm7 import encoding_and_segments, to_gsm7
from sms import premium_report, settings
from tests import factories
from tests.ledger.premiums.builders import buy, world
from tests.sms.conftest import messages

#: 06:30 and 07:30 local in Ituri (UTC+2) on 10 March 2025.
BEFORE_SEVEN = dt.datetime(2025, 3, 10, 4, 30)
AFTER_SEVEN = dt.datetime(2025, 3, 10, 5, 30)


def _premium(session, coop, site, miners, amount=150_000):
    for miner, grams in zip(miners, ("10", "20", "30"), strict=False):
        buy(session, miner, site, grams)
    premium = plan_premium(
        session,
        cooperative=coop,
        amount=amount,
        currency="USD",
        basis="grams",
        period=(dt.date(2025, 3, 1), dt.date(2025, 3, 31)),
    )
    approve(session, premium, approver=None, on=dt.date(2025, 3, 10))
    session.commit()
    return premium


def test_coordinators_get_one_sms_a_day_from_seven_with_paid_against_approved(session):
    coop, site, miners = world(session)
    other, _site, _miners = world_elsewhere(session)
    premium = _premium(session, coop, site, miners)  # 250, 500 and 750 $
    fr = factories.member(session, roles="member,coordinator", coop=coop, language="fr")
    en = factories.member(session, roles="member,coordinator", coop=coop, language="en")
    stranger = factories.member(session, roles="member,coordinator", coop=other)
    payouts = session.scalars(select(Payout).order_by(Payout.member_id)).all()
    payouts[0].state, payouts[0].paid_at = PayoutState.PAID, utcnow()
    payouts[1].state = PayoutState.FAILED
    payouts[2].state, payouts[2].unknown_since = PayoutState.UNKNOWN, utcnow()
    session.commit()
    s = settings.current()

    assert premium_report.write_due(session, s, BEFORE_SEVEN) == 0  # not yet 07:00 local
    assert premium_report.write_due(session, s, AFTER_SEVEN) == 2
    assert premium_report.write_due(session, s, AFTER_SEVEN + dt.timedelta(hours=5)) == 0
    sent = {m.member_id: m for m in messages(kind=MessageKind.ALERT)}
    assert set(sent) == {fr.id, en.id}  # not the other cooperative's coordinator
    assert stranger.id not in sent
    t = translator("en")
    assert sent[en.id].body == to_gsm7(
        f"Premium P-{premium.id}: 1 of 3 miners paid, {t.money(25_000, 'USD')} of "
        f"{t.money(150_000, 'USD')}. 1 failed, 1 unknown."
    )
    assert f"P-{premium.id}" in sent[fr.id].body and sent[fr.id].language == "fr"
    for m in sent.values():
        assert encoding_and_segments(m.body) == ("GSM-7", 1)
        assert m.cause == f"premium_report:{coop.id}:20250310"
    # The next day, again while a miner still waits.
    assert premium_report.write_due(session, s, AFTER_SEVEN + dt.timedelta(days=1)) == 2
    # Everyone paid: no more SMS.
    for payout, line in zip(payouts, premium.lines, strict=True):
        payout.state = PayoutState.PAID
        line.state = "paid"
    session.commit()
    assert cooperatives_waiting(session) == []
    assert premium_report.write_due(session, s, AFTER_SEVEN + dt.timedelta(days=2)) == 0


def world_elsewhere(session):
    other = factories.cooperative(session, "COOPARU", "Aru")
    site = factories.site(session, other, "ARU1")
    miners = [factories.member(session, roles="miner", site=site, coop=other)]
    return other, site, miners


def test_a_cooperative_without_a_waiting_premium_or_a_coordinator_gets_nothing(session):
    coop, site, miners = world(session)
    _premium(session, coop, site, miners)  # waiting, but nobody to tell
    s = settings.current()
    assert premium_report.write(session, s, [coop.id], dt.date(2025, 3, 10)) == 0
    calm, _, _ = world_elsewhere(session)
    factories.member(session, roles="member,coordinator", coop=calm)
    session.commit()
    assert premium_report.write(session, s, [calm.id], dt.date(2025, 3, 10)) == 0
    assert messages(kind=MessageKind.ALERT) == []


def test_several_premiums_oldest_first_and_the_rest_counted_in_one_segment(session):
    coop, site, miners = world(session)
    first = _premium(session, coop, site, miners)
    for _ in range(4):
        _premium(session, coop, site, miners)
    rows = report(session, cooperative_id=coop.id, unpaid_only=True, oldest_first=True)
    assert rows[0].premium_id == first.id and len(rows) == 5
    for lang in ("sw", "ln", "fr", "en"):
        body = premium_report.render(translator(lang), rows)
        assert encoding_and_segments(body) == ("GSM-7", 1), body
        fields = ("number", "paid", "miners", "amount", "due", "failed", "unknown")
        line = translator(lang).gettext(premium_report.PREMIUM_LINE, **dict.fromkeys(fields, "|"))
        assert body.startswith(to_gsm7(line.split("|")[0]))  # "Prime ", "Premium "
        assert f"P-{first.id}:" in body and "+" in body  # the rest counted
    # Read five at most; the SMS counts every premium waiting.
    factories.member(session, roles="member,coordinator", coop=coop, language="en")
    _premium(session, coop, site, miners)
    assert premium_report.write(session, settings.current(), [coop.id], dt.date(2025, 3, 10)) == 1
    (sent,) = messages(kind=MessageKind.ALERT)
    assert sent.body.startswith(f"Premium P-{first.id}:") and "+5 more premiums" in sent.body
