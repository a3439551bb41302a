"""A whole meeting over USSD, in each language: five members buy shares and pay the social
fund (one repays her loan), the officer's desk gives a loan, a fine and a representative's
attendance, the box is counted (100 FC short) and the meeting closed. The books and the SMS
each member got are checked."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from ledger import journal, pins
from ledger.days import local_today
from ledger.meetings import MeetingRecord as R
from ledger.meetings import record_meeting
from ledger.models import AccountKind as K
from ledger.models import Attendance, Flag, Message, MessageKind
from locales import LANGUAGES, translator
from locales.gsm7 import to_gsm7
from tests import factories
from tests.ledger_checks import assert_books_balance
from tests.ussd.conftest import PIN, Words

FC = 100


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_whole_meeting_over_ussd(app, session, phone, world, lang):
    zawadi = factories.member(session, world.group, name="Zawadi Masika")
    # By name: Amani 1, Dieudonne 2, Furaha 3, Neema (the officer) 4, Zawadi 5.
    people = [world.member, world.husband, world.wife, world.officer, zawadi]
    for person in people:
        person.language = lang
    pins.set_pin(session, world.officer, PIN)
    today = local_today(app.config["SANDUKU_TZ"])
    # Last week: 5 shares each (5,000 FC) and 200 FC of social fund; Amani borrowed 4,000
    # (400 charged at once). Loan fund 21,000 FC, social fund 1,000 FC.
    record_meeting(
        session,
        world.group,
        today - dt.timedelta(days=7),
        people,
        [R(m, shares=5, social_fund=200 * FC) for m in people[1:]]
        + [R(people[0], shares=5, social_fund=200 * FC, loan=4_000 * FC, loan_term_months=1)],
    )
    session.commit()
    w, t = Words(lang), translator(lang)
    officer = world.officer.phone

    # Shares and social fund, member by member (9); Amani repays 1,000 FC of her 4,400.
    for key in "12345":
        handset = phone(officer)
        handset.walk("9", PIN, key, "2", "1")
        if key == "1":
            handset.reply("1")  # a repayment today: yes
            handset.reply("1000")
        assert handset.reply("1").startswith("CON " + w.head("Saved for {name}."))

    # The desk (13): today's meeting is the first; a loan for Zawadi shows her cap and the
    # loan fund before she types: 3 x 7,000 FC of savings; 21,000 + 10,000 + 1,000 in the fund.
    handset = phone(officer)
    screen = handset.walk("13", PIN, "1", "1", "5")
    assert to_gsm7(t.money(21_000 * FC, "CDF")) in screen
    assert to_gsm7(t.money(32_000 * FC, "CDF")) in screen
    handset.reply("3000")
    confirm = handset.reply("1")  # one month
    assert to_gsm7(t.money(3_000 * FC, "CDF")) in confirm
    assert handset.reply("1").startswith("CON " + w.head("Saved for {name}."))
    handset.reply("2")  # a fine
    handset.reply("2")  # Dieudonne
    handset.reply("1")  # late
    handset.reply("500")
    handset.reply("1")
    handset.reply("4")  # attendance
    handset.reply("3")  # Furaha
    assert handset.reply("3").startswith("CON " + w.head("Saved for {name}."))  # represented

    # The box: 21,000 + 10,000 shares + 1,000 repaid + 500 fine - 3,000 lent = 29,500 FC in
    # the loan fund, 2,000 FC in the social fund; counted 100 FC short.
    handset.reply("6")
    handset.reply("29400")
    count = handset.reply("2000")
    assert to_gsm7(t.money(29_500 * FC, "CDF")) in count
    assert to_gsm7(t.money(-100 * FC, "CDF")) in count
    assert w("The difference goes to the coordinator.") in handset.reply("1")
    assert handset.reply("1") == "END " + w("Meeting closed. Members present get an SMS.")

    session.expire_all()
    bal = lambda kind: journal.balance(session, kind, "CDF", group_id=world.group.id)  # noqa: E731
    assert bal(K.LOAN_FUND_CASH) == 29_500 * FC and bal(K.SOCIAL_FUND_CASH) == 2_000 * FC
    assert bal(K.FINE_INCOME) == -500 * FC
    assert session.scalar(select(Flag)).group_id == world.group.id
    represented = session.get(
        Attendance,
        (
            session.scalar(select(Attendance.meeting_id).order_by(Attendance.meeting_id.desc())),
            world.wife.id,
        ),
    )
    assert represented.represented
    sms = {
        m.member_id: m
        for m in session.scalars(select(Message).where(Message.kind == MessageKind.MEETING))
    }
    assert set(sms) == {p.id for p in people}
    paid = {0: 3_200, 1: 2_700, 2: 2_200, 3: 2_200, 4: 2_200}  # FC, Amani with her repayment
    for n, person in enumerate(people):
        assert sms[person.id].language == lang
        assert to_gsm7(t.money(paid[n] * FC, "CDF")) in sms[person.id].body
    assert to_gsm7(t.money(3_300 * FC, "CDF")) in sms[zawadi.id].body  # her loan and charge
    assert_books_balance(session)


def test_desk_writes_once_under_a_repeated_callback_and_only_for_officers(session, phone, world):
    record_meeting(
        session,
        world.group,
        local_today("Africa/Lubumbashi") - dt.timedelta(days=7),
        [world.member],
        [R(world.member, shares=5)],
    )
    session.commit()
    handset = phone(world.officer.phone)
    handset.walk("13", PIN, "1", "2", "1", "1", "500")  # a 500 FC fine for Amani, late
    saved = handset.reply("1")
    assert handset.resend() == saved  # the gateway repeats the request: the same answer
    session.expire_all()
    assert journal.balance(session, K.FINE_INCOME, "CDF", group_id=world.group.id) == -500 * FC
    # A member without the officer role has no desk: 13 is not on her menu.
    w = Words(world.member.language)
    screen = phone(world.member.phone).walk("13")
    assert w("Which meeting?") not in screen


def test_officer_corrects_a_record_then_a_closed_meeting_is_not_offered(session, phone, world):
    today = local_today("Africa/Lubumbashi")
    record_meeting(session, world.group, today, [world.member], [R(world.member, shares=5)])
    session.commit()
    w, t = Words(world.officer.language), translator(world.officer.language)
    handset = phone(world.officer.phone)
    handset.walk("13", PIN, "1", "5", "1")  # correct Amani's record of today
    assert handset.reply("1").startswith("CON " + w("Cancelled. Record it again."))
    session.expire_all()
    assert journal.balance(session, K.LOAN_FUND_CASH, "CDF", group_id=world.group.id) == 0
    handset.reply("6")
    handset.reply("1000")
    handset.reply("1000")
    handset.reply("1")
    assert handset.reply("1").startswith("END ")  # closed
    screen = phone(world.officer.phone).walk("13", PIN)
    assert t.date(today) not in screen  # a closed meeting takes no more records
    assert w("No open meeting in the last 7 days.") in screen


def test_officer_records_a_group_expense(session, phone, world):
    record_meeting(
        session,
        world.group,
        local_today("Africa/Lubumbashi"),
        [world.member],
        [R(world.member, shares=5)],
    )
    session.commit()
    w = Words(world.officer.language)
    handset = phone(world.officer.phone)
    handset.walk("13", PIN, "1", "7", "2", "1500")  # a padlock, 1,500 FC
    assert handset.reply("1").startswith("CON " + w("Saved."))
    session.expire_all()
    assert journal.balance(session, K.EXPENSES, "CDF", group_id=world.group.id) == 1_500 * FC
    assert journal.balance(session, K.LOAN_FUND_CASH, "CDF", group_id=world.group.id) == (
        3_500 * FC
    )
