"""Reporting an incident from menu 15: the site (from the list, or by its code), the kind,
anonymous or not, then what happened; the end screen gives the reference, and an SMS
repeats it. An anonymous report keeps neither the member nor the phone; a wrong site or
kind is said on the same screen and nothing is written."""

import pytest

from ledger.models import Flag, FlagKind, Incident, Message, MessageKind
from locales import DEFAULT_LANGUAGE, LANGUAGES
from tests.ussd.conftest import Words
from ussd.screens.base import INVALID_CHOICE
from ussd.screens.incident import SAVED, TOO_MANY, UNKNOWN_SITE


@pytest.fixture(params=LANGUAGES)
def lang(request, session, world):
    world.member.language = request.param
    session.commit()
    return request.param


def test_a_member_reports_armed_men_at_her_site(session, phone, world, lang):
    w = Words(lang)
    handset = phone(world.member.phone)
    sites = handset.walk("15")
    assert "Mine SITE1" in sites and "Mine REDSITE" in sites  # sorted by code: 1 RED, 2 SITE1
    end = handset.walk("15", "2", "1", "2", "Watu wenye silaha wanatoza kodi")
    (incident,) = session.query(Incident).all()
    assert end == "END " + w(SAVED, reference=incident.reference)
    assert (incident.site_id, incident.cooperative_id) == (world.site.id, world.coop.id)
    assert incident.category == "armed_group" and incident.channel == "ussd"
    assert incident.text == "Watu wenye silaha wanatoza kodi"
    assert (incident.reporter_member_id, incident.reporter_phone) == (
        world.member.id,
        world.member.phone,
    )
    assert session.get(Flag, incident.flag_id).kind == FlagKind.INCIDENT
    (ack,) = session.query(Message).filter_by(kind=MessageKind.REPLY).all()
    assert (ack.phone, ack.language) == (world.member.phone, lang)
    assert incident.reference in ack.body


def test_an_anonymous_report_by_site_code_keeps_nobody(session, phone, world, lang):
    handset = phone(world.member.phone)
    end = handset.walk("15", "site1", "2", "1", "Watoto wanachimba")
    assert end.startswith("END ")
    (incident,) = session.query(Incident).all()
    assert incident.site_id == world.site.id and incident.category == "child_labour"
    assert incident.anonymous
    assert (incident.reporter_member_id, incident.reporter_phone) == (None, None)
    (ack,) = session.query(Message).filter_by(kind=MessageKind.REPLY).all()
    assert ack.phone == world.member.phone and ack.member_id is None
    assert ack.cause == "incident"  # the message log does not name the report


def test_not_listed_reports_without_a_site(session, phone, world):
    phone(world.member.phone).walk("15", "3", "5", "2", "Rushwa kwa polisi")
    (incident,) = session.query(Incident).all()
    assert (incident.site_id, incident.cooperative_id) == (None, world.coop.id)
    assert incident.category == "other"


def test_wrong_site_and_kind_are_said_on_the_same_screen(session, phone, world, lang):
    w = Words(lang)
    handset = phone(world.member.phone)
    assert handset.walk("15", "NOPE").startswith(f"CON {w(UNKNOWN_SITE)}\n")
    assert handset.reply("9").startswith(f"CON {w(UNKNOWN_SITE)}\n")  # no 9th site either
    assert handset.reply("2").startswith("CON ")
    assert handset.reply("7").startswith(f"CON {w(INVALID_CHOICE)}\n")
    assert handset.reply("3").startswith("CON ")  # violence
    assert handset.reply("5").startswith(f"CON {w(INVALID_CHOICE)}\n")  # 1 yes or 2 no
    assert session.query(Incident).count() == 0


def test_every_role_finds_it_at_15(session, phone, world):
    for person in (world.buyer, world.coordinator):
        screen = phone(person.phone).walk("15", "1234")  # no PIN asked: the site list
        assert "Mine SITE1" in screen
    assert session.query(Incident).count() == 0


def test_a_retried_last_step_writes_once(session, phone, world):
    handset = phone(world.member.phone)
    end = handset.walk("15", "2", "1", "2", "Watu wenye silaha")
    assert handset.resend() == end  # the gateway's retry gets the same answer
    assert session.query(Incident).count() == 1
    assert session.query(Message).filter_by(kind=MessageKind.REPLY).count() == 1


def test_an_empty_report_is_asked_again(session, phone, world):
    handset = phone(world.member.phone)
    handset.walk("15", "2", "1", "2")
    assert handset.reply(" ").startswith("CON ")
    assert session.query(Incident).count() == 0


def test_a_phone_we_do_not_know_may_report(session, phone, world):
    w = Words(DEFAULT_LANGUAGE)
    stranger = "+243819999998"
    handset = phone(stranger)
    first = handset.dial()
    assert first.endswith(f"\n1 {w('Report an incident')}")
    assert handset.reply("1").startswith("CON ")  # the sites: only "not listed", or a code
    assert handset.reply("00") == first  # home is this screen
    end = phone(stranger).walk("1", "SITE1", "4", "2", "Barrière: 5000 FC par sac")
    (incident,) = session.query(Incident).all()
    assert end == "END " + w(SAVED, reference=incident.reference)
    assert (incident.reporter_member_id, incident.reporter_phone) == (None, stranger)
    assert (incident.site_id, incident.category) == (world.site.id, "illegal_tax")
    (ack,) = session.query(Message).filter_by(kind=MessageKind.REPLY).all()
    assert (ack.phone, ack.language, ack.member_id) == (stranger, DEFAULT_LANGUAGE, None)


def test_a_flood_from_one_phone_is_capped_for_the_day(app, session, phone, world, monkeypatch):
    """Over USSD too (anonymous reports included): past the cap, the end screen says to try
    tomorrow and nothing is written; the count is a keyed hash in Redis, not the phone."""
    monkeypatch.setattr("ussd.screens.incident.INCIDENTS_PER_PHONE_DAY", 2)
    w = Words(DEFAULT_LANGUAGE)
    stranger = "+243819999997"
    for n in range(2):
        assert phone(stranger).walk("1", "SITE1", "4", "1", f"Barrière {n}").startswith("END ")
    over = phone(stranger).walk("1", "SITE1", "4", "1", "Barrière 3")
    assert over == "END " + w(TOO_MANY)
    assert session.query(Incident).count() == 2
    assert session.query(Message).filter_by(kind=MessageKind.REPLY).count() == 2
    keys = [k.decode() for k in app.extensions["redis"].scan_iter("ussd:incidents:*")]
    assert len(keys) == 1 and "9999997" not in keys[0]
    assert phone(world.member.phone).walk("15", "2", "1", "2", "Mine").startswith("END ")
