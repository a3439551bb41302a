"""The officer's desk: the member's totals on the screens before anything is written, and
a member who joins mid-cycle added from the phone (``13`` 8), in each language; refused for
another group's member, a bad phone, someone already in the group; written once under a
repeated callback. Every screen is checked to fit 160 characters by the phone itself."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from ledger import journal, pins
from ledger.days import local_today
from ledger.meetings import MeetingRecord as R
from ledger.meetings import record_meeting
from ledger.models import AccountKind as K
from ledger.models import Member, MemberStatus
from locales import LANGUAGE_NAMES, LANGUAGES, translator
from locales.gsm7 import to_gsm7
from tests import factories
from tests.ussd.conftest import PIN, Words

FC = 100
NEW_PHONE = "0812345679"  # +243812345679


def _last_week(session, world):
    """Amani bought 5 shares (5,000 FC) last week and borrowed 4,000 FC (400 charged)."""
    record_meeting(
        session,
        world.group,
        local_today("Africa/Lubumbashi") - dt.timedelta(days=7),
        [world.member],
        [R(world.member, shares=5, loan=4_000 * FC, loan_term_months=1)],
    )
    session.commit()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_confirm_screens_show_the_members_totals_before_anything_is_written(
    session, phone, world, lang
):
    _last_week(session, world)
    world.officer.language = lang
    session.commit()
    w, t = Words(lang), translator(lang)
    totals = w(
        "Has {shares} shares = {savings}; owes {loan}.",
        shares=5,
        savings=t.money(5_000 * FC, "CDF"),
        loan=t.money(4_400 * FC, "CDF"),
    )
    handset = phone(world.officer.phone)
    confirm = handset.walk("13", PIN, "1", "2", "1", "1", "500")  # a fine for Amani
    assert totals in confirm and confirm.startswith("CON Amani Furaha\n")
    assert totals in phone(world.officer.phone).walk("9", PIN, "1")  # the meeting's shares
    grant = phone(world.officer.phone).walk("13", PIN, "1", "3", "1", "100")
    assert totals in grant
    assert to_gsm7(t.money(500 * FC, "CDF")) in confirm
    session.expire_all()
    assert journal.balance(session, K.FINE_INCOME, "CDF", group_id=world.group.id) == 0
    assert handset.reply("1").startswith("CON " + w.head("Saved for {name}."))
    again = phone(world.officer.phone).walk("13", PIN, "1", "2", "1", "1", "500")
    assert totals in again  # a fine is no share and no loan: the totals are the same


@pytest.mark.parametrize("lang", LANGUAGES)
def test_an_officer_adds_a_member_who_joins_mid_cycle(session, phone, world, lang):
    world.officer.language = lang
    session.commit()
    w = Words(lang)
    today = local_today("Africa/Lubumbashi")
    handset = phone(world.officer.phone)
    handset.walk("13", PIN, "1")
    assert f"8 {w('New member')}" in handset.reply("98")  # the desk's second page
    assert w("New member's full name:") in handset.reply("8")
    assert w.head("Her phone number (0812345678):") in handset.reply("  Baraka   Kavira ")
    assert w("Woman or man?") in handset.reply(NEW_PHONE)
    assert w("Language:") in handset.reply("1")  # a woman
    key = str(LANGUAGES.index("ln") + 1)
    confirm = handset.reply(key)
    assert w("New member from {date}:", date=translator(lang).date(today)) in confirm
    assert "Baraka Kavira" in confirm and "+243812345679" in confirm
    assert w("Woman") in confirm and LANGUAGE_NAMES["ln"] in confirm
    assert session.scalar(select(Member).where(Member.name == "Baraka Kavira")) is None
    saved = handset.reply("1")
    assert saved.startswith("CON " + w("Saved for {name}.", name="Baraka"))
    assert handset.resend() == saved  # the gateway repeats the request: written once
    session.expire_all()
    (joined,) = session.scalars(select(Member).where(Member.phone == "+243812345679")).all()
    assert (joined.group_id, joined.status, joined.joined_on) == (
        world.group.id,
        MemberStatus.ACTIVE,
        today,
    )
    assert (joined.language, joined.gender.value, joined.roles) == ("ln", "F", "member")
    assert joined.cooperative_id == world.group.cooperative_id
    # She is on the meeting's list at once, and adding her again is refused.
    assert "Baraka Kavira" in phone(world.officer.phone).walk("9", PIN)
    refused = phone(world.officer.phone).walk(
        "13", PIN, "1", "8", "Baraka Kavira", NEW_PHONE, "1", key, "1"
    )
    assert w("Already in this group.") in refused and w("Not saved:") in refused
    assert session.scalar(select(func.count()).select_from(Member).where(
        Member.phone == "+243812345679"
    )) == 1  # fmt: skip


def test_bad_input_is_asked_again_and_nothing_is_written(session, phone, world):
    w = Words(world.officer.language)
    handset = phone(world.officer.phone)
    handset.walk("13", PIN, "1", "8")
    assert handset.reply("").startswith("CON " + w("Type the name."))
    assert handset.reply("x" * 81).startswith("CON " + w("Too long."))
    handset.reply("Baraka Kavira")
    for bad in ("12345", "abc", "+33 6", "0812345679123456789"):
        assert handset.reply(bad).startswith("CON " + w("Not a phone number.")), bad
    handset.reply(NEW_PHONE)
    assert handset.reply("3").startswith("CON " + w("Invalid choice."))  # 1 or 2 only
    handset.reply("2")
    assert handset.reply("9").startswith("CON " + w("Invalid choice."))
    handset.reply("1")
    assert handset.reply("2").startswith("CON " + w("Invalid choice."))  # 1 confirms
    handset.reply("00")
    session.expire_all()
    assert session.scalar(select(Member).where(Member.phone == "+243812345679")) is None


def test_another_groups_officer_can_neither_move_nor_touch_a_member(session, phone, world):
    other = factories.group(session, world.coop, "VSLA2")
    officer = factories.member(session, other, name="Kahindo Mave", roles="member,officer")
    pins.set_pin(session, officer, PIN)
    session.commit()
    w = Words(officer.language)
    amani = world.member
    before = (amani.group_id, amani.language, amani.gender, amani.joined_on)
    # The same phone and name as Amani of VSLA1: refused, and Amani is untouched.
    screen = phone(officer.phone).walk("13", PIN, "1", "8", amani.name, amani.phone, "2", "4", "1")
    assert w("Not saved:") in screen and w("Not in this group.") in screen
    session.expire_all()
    amani = session.get(Member, amani.id)
    assert (amani.group_id, amani.language, amani.gender, amani.joined_on) == before
    # Her own group's officer sees her as already in it; a member without the officer role
    # has no desk at all.
    screen = phone(world.officer.phone).walk(
        "13", PIN, "1", "8", amani.name, amani.phone, "1", "1", "1"
    )
    assert Words(world.officer.language)("Already in this group.") in screen
    assert w("New member") not in phone(amani.phone).walk("13")
