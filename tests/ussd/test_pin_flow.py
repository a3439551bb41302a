"""PINs over the phone: first use, once per session, lockout across sessions, unlocking,
and shared phones."""

import datetime as dt

import pytest

from ledger import pins
from ledger.models import Member, utcnow
from locales import LANGUAGES
from tests import factories
from tests.ussd.conftest import PIN


@pytest.fixture(params=LANGUAGES)
def lang(request, session, world):
    for person in (world.member, world.officer, world.coordinator, world.husband, world.wife):
        person.language = request.param
    session.commit()
    return request.param


def fresh(session, member):
    session.expire_all()
    return session.get(Member, member.id)


def test_first_use_sets_the_pin_typed_twice(session, phone, world, lang):
    pins.reset_pin(session, world.member)
    session.commit()
    handset = phone(world.member.phone)
    assert handset.walk("1").startswith("CON Choose a PIN")
    assert handset.reply("123").startswith("CON A PIN is 4 digits.")
    assert handset.reply("1111").startswith("CON Too easy to guess.")
    assert "same PIN again" in handset.reply("4826")
    assert handset.reply("4827").startswith("CON The PINs differ. Try again.\nChoose")
    handset.reply("4826")
    assert handset.reply("4826").startswith("CON PIN saved.\nGroupe VSLA1")
    assert pins.matches("4826", fresh(session, world.member).pin_hash)


def test_pin_is_asked_once_per_session(phone, world, lang):
    handset = phone(world.member.phone)
    assert handset.walk("1").startswith("CON Enter your PIN")
    assert handset.reply(PIN).startswith("CON Groupe VSLA1")
    handset.reply("00")
    assert handset.reply("2").startswith("CON My loan")
    handset.reply("00")
    assert handset.reply("4").startswith("CON My sales")
    # a new session asks again
    assert phone(world.member.phone).walk("4").startswith("CON Enter your PIN")


def test_back_from_the_screen_after_the_pin_goes_to_the_menu(phone, world, lang):
    handset = phone(world.member.phone)
    menu = handset.dial()
    handset.reply("1")
    handset.reply(PIN)
    assert handset.reply("0") == menu


def test_three_wrong_pins_lock_across_sessions(session, phone, world, lang):
    handset = phone(world.member.phone)
    handset.walk("1")
    assert handset.reply("1111").startswith("CON Wrong PIN. 2 tries left.")
    assert handset.reply("1112").startswith("CON Wrong PIN. 1 try left.")
    locked = handset.reply("1113")
    assert locked.startswith("END PIN locked until ") and "officer" in locked
    member = fresh(session, world.member)
    assert member.pin_locked_until > utcnow() + dt.timedelta(minutes=29)

    # A new session, even with the right PIN, is refused until the lock ends...
    again = phone(world.member.phone)
    assert again.walk("1") == locked
    # ...while what needs no PIN still works.
    assert phone(world.member.phone).walk("3").startswith("CON No gold price")

    # The lock runs out: the right PIN works again.
    member.pin_locked_until = utcnow() - dt.timedelta(minutes=1)
    session.commit()
    assert phone(world.member.phone).walk("1", PIN).startswith("CON Groupe VSLA1")


def test_wrong_tries_count_across_sessions(phone, world, lang):
    phone(world.member.phone).walk("1", "1111")
    phone(world.member.phone).walk("2", "1111")
    assert phone(world.member.phone).walk("4", "1111").startswith("END PIN locked")


def lock(session, member):
    for _ in range(pins.MAX_FAILURES - 1):
        pins.verify_pin(session, member, "0001")
    with pytest.raises(Exception):  # noqa: B017
        pins.verify_pin(session, member, "0001")
    session.commit()


def test_an_officer_unlocks_a_members_pin(session, phone, world, lang):
    lock(session, world.member)
    handset = phone(world.officer.phone)
    assert handset.walk("11", PIN).startswith("CON Unlock whose PIN?")
    screen = handset.reply(world.member.phone)
    assert screen.startswith("CON Amani Furaha\nPIN locked until ")
    assert handset.reply("1").startswith("CON PIN cleared for Amani.\nSanduku: Neema")
    member = fresh(session, world.member)
    assert member.pin_locked_until is None and member.pin_hash is None
    # the member chooses a new PIN on their next dial
    assert phone(world.member.phone).walk("1").startswith("CON Choose a PIN")


def test_a_coordinator_unlocks_by_member_number(session, phone, world, lang):
    lock(session, world.member)
    screen = phone(world.coordinator.phone).walk("11", PIN, str(world.member.id))
    assert screen.startswith("CON Amani Furaha\nPIN locked")
    assert pins.locked_until(fresh(session, world.member))  # not before the confirmation
    handset = phone(world.coordinator.phone)
    handset.walk("11", PIN, str(world.member.id), "1")
    assert pins.locked_until(fresh(session, world.member)) is None


def test_unlocking_is_limited_to_ones_own_group(session, phone, world, lang):
    other_group = factories.group(session, code="VSLA2")
    stranger = factories.member(session, other_group, name="Zawadi Ngona")
    session.commit()
    screen = phone(world.officer.phone).walk("11", PIN, stranger.phone)
    assert screen.startswith("CON No member with this number.")
    # and plain members do not see the item
    assert phone(world.member.phone).walk("11").startswith("CON Invalid choice.")


def test_shared_phone_asks_who_is_calling_first(session, phone, world, lang):
    handset = phone(world.shared)
    first = handset.dial()
    assert first.startswith("CON Who is calling?\n1 Furaha\n2 Dieudonne")
    assert handset.reply("3").startswith("CON Invalid choice.\nWho is calling?")
    assert handset.reply("1").startswith("CON Sanduku: Furaha")
    assert handset.reply("1").startswith("CON Enter your PIN")  # Furaha has a PIN
    assert "Groupe VSLA1" in handset.reply(PIN)

    husband = phone(world.shared)
    husband.walk("2")
    assert husband.reply("1").startswith("CON Choose a PIN")  # each their own PIN
    # 00 after choosing goes to the chosen member's menu, not back to the choice
    assert husband.reply("00").startswith("CON Sanduku: Dieudonne")


def test_shared_phone_with_two_of_the_same_first_name(session, phone, world):
    factories.member(session, world.group, name="Furaha Kavira", number=world.shared)
    session.commit()
    first = phone(world.shared).dial()
    assert "1 Furaha Dhedonga\n2 Dieudonne\n3 Furaha Kavira" in first
