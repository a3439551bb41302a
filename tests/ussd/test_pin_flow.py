"""PINs over the phone: first use, once per session, lockout across sessions, unlocking,
and shared phones."""

import datetime as dt

import pytest

from ledger import pins
from ledger.models import Member, utcnow
from locales import LANGUAGES
from tests import factories
from tests.ussd.conftest import PIN, Words

LOCKED = "PIN locked until {when}. Ask your officer to unlock it."


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
    w = Words(lang)
    handset = phone(world.member.phone)
    assert handset.walk("1").startswith("CON " + w("Choose a PIN of 4 digits:"))
    assert handset.reply("123").startswith("CON " + w("A PIN is 4 digits."))
    assert handset.reply("1111").startswith("CON " + w("Too easy to guess. Choose another."))
    assert w("Type the same PIN again:") in handset.reply("4826")
    assert handset.reply("4827").startswith(
        f"CON {w('The PINs differ. Try again.')}\n{w('Choose a PIN of 4 digits:')}"
    )
    handset.reply("4826")
    assert handset.reply("4826").startswith(f"CON {w('PIN saved.')}\nGroupe VSLA1")
    assert pins.matches("4826", fresh(session, world.member).pin_hash)


def test_pin_is_asked_once_per_session(phone, world, lang):
    w = Words(lang)
    handset = phone(world.member.phone)
    assert handset.walk("1").startswith("CON " + w("Enter your PIN:"))
    assert handset.reply(PIN).startswith("CON Groupe VSLA1")
    handset.reply("00")
    assert handset.reply("2").startswith("CON " + w("My loan"))
    handset.reply("00")
    assert handset.reply("4").startswith("CON " + w("My sales"))
    # a new session asks again
    assert phone(world.member.phone).walk("4").startswith("CON " + w("Enter your PIN:"))


def test_back_from_the_screen_after_the_pin_goes_to_the_menu(phone, world, lang):
    handset = phone(world.member.phone)
    menu = handset.dial()
    handset.reply("1")
    handset.reply(PIN)
    assert handset.reply("0") == menu


def test_three_wrong_pins_lock_across_sessions(session, phone, world, lang):
    w = Words(lang)
    wrong = ("Wrong PIN. {n} try left.", "Wrong PIN. {n} tries left.")
    handset = phone(world.member.phone)
    handset.walk("1")
    assert handset.reply("1111").startswith("CON " + w.n(*wrong, 2))
    assert handset.reply("1112").startswith("CON " + w.n(*wrong, 1))
    locked = handset.reply("1113")
    assert locked.startswith("END " + w.head(LOCKED)) and w.shown(LOCKED, locked)
    member = fresh(session, world.member)
    assert member.pin_locked_until > utcnow() + dt.timedelta(minutes=29)

    # A new session, even with the right PIN, is refused until the lock ends...
    again = phone(world.member.phone)
    assert again.walk("1") == locked
    # ...while what needs no PIN still works.
    assert phone(world.member.phone).walk("3").startswith("CON " + w("No gold price posted yet."))

    # The lock runs out: the right PIN works again.
    member.pin_locked_until = utcnow() - dt.timedelta(minutes=1)
    session.commit()
    assert phone(world.member.phone).walk("1", PIN).startswith("CON Groupe VSLA1")


def test_wrong_tries_count_across_sessions(phone, world, lang):
    phone(world.member.phone).walk("1", "1111")
    phone(world.member.phone).walk("2", "1111")
    assert phone(world.member.phone).walk("4", "1111").startswith("END " + Words(lang).head(LOCKED))


def lock(session, member):
    for _ in range(pins.MAX_FAILURES - 1):
        pins.verify_pin(session, member, "0001")
    with pytest.raises(Exception):  # noqa: B017
        pins.verify_pin(session, member, "0001")
    session.commit()


def test_an_officer_unlocks_a_members_pin(session, phone, world, lang):
    w = Words(lang)
    lock(session, world.member)
    handset = phone(world.officer.phone)
    assert handset.walk("11", PIN).startswith(
        "CON " + w("Unlock whose PIN?\nPhone or member number:")
    )
    screen = handset.reply(world.member.phone)
    assert screen.startswith("CON Amani Furaha\n" + w.head("PIN locked until {when}."))
    assert handset.reply("1").startswith(
        f"CON {w('PIN cleared for {name}.', name='Amani')}\n{w('Sanduku: {name}', name='Neema')}"
    )
    member = fresh(session, world.member)
    assert member.pin_locked_until is None and member.pin_hash is None
    # the member chooses a new PIN on their next dial
    assert phone(world.member.phone).walk("1").startswith("CON " + w("Choose a PIN of 4 digits:"))


def test_a_coordinator_unlocks_by_member_number(session, phone, world, lang):
    lock(session, world.member)
    screen = phone(world.coordinator.phone).walk("11", PIN, str(world.member.id))
    assert screen.startswith("CON Amani Furaha\n" + Words(lang).head("PIN locked until {when}."))
    assert pins.locked_until(fresh(session, world.member))  # not before the confirmation
    handset = phone(world.coordinator.phone)
    handset.walk("11", PIN, str(world.member.id), "1")
    assert pins.locked_until(fresh(session, world.member)) is None


def test_unlocking_is_limited_to_ones_own_group(session, phone, world, lang):
    other_group = factories.group(session, code="VSLA2")
    stranger = factories.member(session, other_group, name="Zawadi Ngona")
    session.commit()
    w = Words(lang)
    screen = phone(world.officer.phone).walk("11", PIN, stranger.phone)
    assert screen.startswith("CON " + w("No member with this number."))
    # and plain members do not see the item
    assert phone(world.member.phone).walk("11").startswith("CON " + w("Invalid choice."))


def test_shared_phone_asks_who_is_calling_first(session, phone, world, lang):
    w = Words(lang)
    handset = phone(world.shared)
    first = handset.dial()
    assert first.startswith(f"CON {w('Who is calling?')}\n1 Furaha\n2 Dieudonne")
    assert handset.reply("3").startswith(f"CON {w('Invalid choice.')}\n{w('Who is calling?')}")
    assert handset.reply("1").startswith("CON " + w("Sanduku: {name}", name="Furaha"))
    assert handset.reply("1").startswith("CON " + w("Enter your PIN:"))  # Furaha has a PIN
    assert "Groupe VSLA1" in handset.reply(PIN)

    husband = phone(world.shared)
    husband.walk("2")
    assert husband.reply("1").startswith("CON " + w("Choose a PIN of 4 digits:"))  # their own
    # 00 after choosing goes to the chosen member's menu, not back to the choice
    assert husband.reply("00").startswith("CON " + w("Sanduku: {name}", name="Dieudonne"))


def test_shared_phone_with_two_of_the_same_first_name(session, phone, world):
    factories.member(session, world.group, name="Furaha Kavira", number=world.shared)
    session.commit()
    first = phone(world.shared).dial()
    assert "1 Furaha Dhedonga\n2 Dieudonne\n3 Furaha Kavira" in first
