"""New flags are told to the cooperative's coordinators: one SMS digest per run (hourly), in
each coordinator's language, one GSM-7 segment; told flags are not told again."""

from __future__ import annotations

import datetime as dt

import pytest

from ledger import gold, incidents
from ledger.evidence import review
from ledger.models import Flag, IncidentChannel, MessageKind
from locales import LANGUAGES, translator
from locales.gsm7 import SINGLE_SEGMENT_SEPTETS, encoding_and_segments, is_gsm7, septets
from sms import alerts, settings, templates
from tests import factories
from tests.sms.conftest import messages


def test_one_digest_per_coordinator_then_nothing_until_new_flags(session):
    coop = factories.cooperative(session)
    other = factories.cooperative(session, "COOPARU", "Aru")
    sw = factories.member(session, roles="member,coordinator", coop=coop, language="sw")
    factories.member(session, roles="member,coordinator", coop=other)
    site = factories.site(session, coop, "MBS-03")
    gold.post_price(session, coop, 100_00)
    seller = factories.member(session, roles="member,miner", coop=coop, site=site)
    for _ in range(2):
        gold.record_purchase(
            session, miner=seller, site=site, weight_mg=1000, price_per_gram=50_00, currency="USD"
        )
    session.commit()
    now = dt.datetime(2025, 3, 10, 9, 0)
    s = settings.current()
    assert alerts.write_flag_digest(session, s, now) == 1
    (sent,) = messages(kind=MessageKind.ALERT)
    assert sent.member_id == sw.id and sent.language == "sw"
    assert sent.body.startswith("Maonyo 4 mapya:") and "MBS-03" in sent.body
    assert encoding_and_segments(sent.body) == ("GSM-7", 1)
    assert alerts.write_flag_digest(session, s, now + dt.timedelta(hours=1)) == 0
    assert all(f.notified_at is not None for f in session.query(Flag))


def test_a_cooperative_without_coordinator_keeps_its_flags_untold(session):
    coop = factories.cooperative(session)
    site = factories.site(session, coop, "S1")
    seller = factories.member(session, roles="member", coop=coop, site=site)
    gold.record_purchase(
        session, miner=seller, site=site, weight_mg=1000, price_per_gram=50_00, currency="USD"
    )
    session.commit()
    assert alerts.write_flag_digest(session, settings.current()) == 0
    assert review.untold(session) != {}


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_longest_digest_fits_one_segment(language):
    t = translator(language)
    kinds = [(k, 999, ["W" * 32] * 3) for k in templates.FLAG_LABELS]
    text = templates.flag_digest(t, 9999, kinds)
    assert is_gsm7(text) and septets(text) <= SINGLE_SEGMENT_SEPTETS, text
    short = templates.flag_digest(t, 3, [("site_capacity", 2, ["MBS-03"]), ("underpayment", 1, [])])
    assert "MBS-03" in short and septets(short) <= SINGLE_SEGMENT_SEPTETS


def test_an_incident_report_is_told_in_the_next_digest(session):
    coop = factories.cooperative(session)
    fr = factories.member(session, roles="member,coordinator", coop=coop, language="fr")
    site = factories.site(session, coop, "MBS-03")
    incidents.report(
        session,
        text="Des hommes armés au puits",
        category="armed_group",
        channel=IncidentChannel.SMS,
        site=site,
        phone=factories.phone(),
    )
    session.commit()
    assert alerts.write_flag_digest(session, settings.current()) == 1
    (sent,) = messages(kind=MessageKind.ALERT)
    assert sent.member_id == fr.id
    assert sent.body == "1 nouvelle alerte: 1 incident signalé MBS-03"
    assert "armés" not in sent.body  # the words are read in the API, not by SMS
