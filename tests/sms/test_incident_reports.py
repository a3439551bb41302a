"""Incident reports by SMS: the keyword of any language (RIPOTI, RAPPORT, REPORT, LAPOLO),
then what happened, the site's code first when it is one; from members and strangers alike;
acknowledged with the reference in the reporter's language, in one GSM-7 segment; the
keyword alone is answered with how to report; no log line holds the text or the phone."""

from __future__ import annotations

import itertools
import logging

import pytest

from ledger.models import Flag, FlagKind, Incident, Message, MessageKind
from locales import LANGUAGES, translator
from locales.gsm7 import SINGLE_SEGMENT_SEPTETS, is_gsm7, septets
from sms import inbound, settings, templates
from sms.gateways import Inbound
from sms.keywords import Action, language_of, read
from tests import factories

_ids = itertools.count(1)


def send(session, phone: str, text: str) -> str | None:
    new_id = inbound.record(
        session, Inbound(gateway_id=f"rep-{next(_ids)}", phone=phone, text=text)
    )
    return inbound.process(session, new_id, settings.current())


def replies_to(session, phone: str) -> list[str]:
    return [
        m.body
        for m in session.query(Message)
        .filter_by(phone=phone, kind=MessageKind.REPLY)
        .order_by(Message.id)
    ]


@pytest.fixture
def place(session):
    coop = factories.cooperative(session)
    site = factories.site(session, coop, "MBS-03")
    amani = factories.member(session, coop=coop, site=site, language="sw")
    session.commit()
    return coop, site, amani


@pytest.mark.parametrize(
    ("word", "language"),
    [("RIPOTI", "sw"), ("Rapport", "fr"), ("report", "en"), ("LAPOLO", "ln"), ("lapóro", "ln")],
)
def test_the_keyword_of_every_language_reports(word, language):
    assert read(f"{word} watu wenye silaha") == Action.REPORT
    assert language_of(f"{word}: ...") == language


def test_a_member_reports_with_a_site_code_and_is_acknowledged_in_her_language(
    session, place, caplog
):
    coop, site, amani = place
    caplog.set_level(logging.DEBUG)
    secret = "Watu wenye silaha wanatoza kodi usiku"
    assert send(session, amani.phone, f"ripoti mbs-03 {secret}") == "report"
    (incident,) = session.query(Incident).all()
    assert (incident.site_id, incident.cooperative_id) == (site.id, coop.id)
    assert incident.text == secret and incident.category == "other"
    assert (incident.reporter_member_id, incident.reporter_phone) == (amani.id, amani.phone)
    assert incident.flag.kind == FlagKind.INCIDENT
    (ack,) = replies_to(session, amani.phone)
    assert ack == templates.incident_saved(translator("sw"), incident.reference)
    assert incident.reference in ack
    logged = caplog.text
    assert secret not in logged and "silaha" not in logged and amani.phone not in logged


@pytest.mark.parametrize(
    ("word", "language"), [("RAPPORT", "fr"), ("REPORT", "en"), ("LAPOLO", "ln")]
)
def test_a_stranger_reports_and_is_answered_in_the_language_of_her_word(
    session, place, word, language
):
    stranger = factories.phone()
    send(session, stranger, f"{word} Des enfants creusent au puits 4")
    (incident,) = session.query(Incident).all()
    assert incident.site_id is None and incident.cooperative_id is None
    assert (incident.reporter_member_id, incident.reporter_phone) == (None, stranger)
    assert incident.text == "Des enfants creusent au puits 4"  # "Des" is no site's code
    assert replies_to(session, stranger) == [
        templates.incident_saved(translator(language), incident.reference)
    ]


def test_the_keyword_alone_says_how_to_report_and_keeps_nothing(session, place):
    _coop, _site, amani = place
    send(session, amani.phone, "RIPOTI")
    send(session, amani.phone, "ripoti MBS-03")  # a site, and nothing said
    assert session.query(Incident).count() == 0 and session.query(Flag).count() == 0
    how = templates.plain(translator("sw"), templates.INCIDENT_HOW)
    assert replies_to(session, amani.phone) == [how, how]
    assert "RIPOTI" in how


def test_one_phone_s_reports_are_capped_a_day(session, place, monkeypatch):
    monkeypatch.setattr("sms.incidents.INCIDENTS_PER_PHONE_DAY", 2)
    stranger = factories.phone()
    for n in range(4):
        send(session, stranger, f"REPORT number {n}")
    assert [i.text for i in session.query(Incident).order_by(Incident.id)] == [
        "number 0",
        "number 1",
    ]


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_acknowledgement_and_the_how_fit_one_segment(language):
    t = translator(language)
    for text in (
        templates.incident_saved(t, f"I-{2**31 - 1}"),
        templates.plain(t, templates.INCIDENT_HOW),
    ):
        assert is_gsm7(text), text
        assert septets(text) <= SINGLE_SEGMENT_SEPTETS, (language, septets(text), text)


def test_on_a_shared_phone_the_report_names_the_phone_not_a_member(session, place):
    coop, _site, _amani = place
    shared = factories.phone()
    factories.member(session, coop=coop, number=shared, language="ln", name="Mama A")
    factories.member(session, coop=coop, number=shared, language="ln", name="Tata B")
    session.commit()
    send(session, shared, "LAPOLO MBS-03 bana bazali kotimola")
    (incident,) = session.query(Incident).all()
    assert (incident.reporter_member_id, incident.reporter_phone) == (None, shared)
    assert incident.cooperative_id == coop.id
    (ack,) = replies_to(session, shared)
    assert ack == templates.incident_saved(translator("ln"), incident.reference)
