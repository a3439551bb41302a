"""PINs over the phone: enrolment with a one-time code, once per session, lockout across
sessions, unlocking (which issues a code), and shared phones."""

import datetime as dt
import re

import pytest

from ledger import enrolment, pins
from ledger.models import Member, utcnow
from locales import LANGUAGES
from tests import factories
from tests.ussd.conftest import PIN, Words
from ussd.screens import pin as pin_screens
from ussd.screens.unlock import CODE_FOR

LOCKED = "PIN locked until {when}. Ask your officer to unlock it."
WRONG_CODE = pin_screens.WRONG_CODE


@pytest.fixture(params=LANGUAGES)
def lang(request, session, world):
    for person in (world.member, world.officer, world.coordinator, world.husband, world.wife):
        person.language = request.param
    session.commit()
    return request.param


def fresh(session, member):
    session.expire_all()
    return session.get(Member, member.id)


def wrong(code: str) -> str:
    """A well-formed code that is not ``code``."""
    return f"{(int(code) + 1) % 10**6:06d}"


def test_without_a_code_nobody_sets_a_pin_by_dialling(session, phone, world, lang):
    """Whoever holds the phone of a member without a PIN cannot choose one for them."""
    pins.reset_pin(session, world.member)
    session.commit()
    no_code = "END " + Words(lang)(pin_screens.NO_CODE)
    for item in ("1", "2", "4", "7"):
        assert phone(world.member.phone).walk(item) == no_code
    # replies dialled with the code (the old first-use flow) get nowhere either
    assert phone(world.member.phone).walk("1*4826*4826") == no_code
    assert phone(world.member.phone).walk("7*4826*4826") == no_code
    assert fresh(session, world.member).pin_hash is None


def test_enrolment_code_then_the_pin_typed_twice(session, phone, world, lang):
    pins.reset_pin(session, world.member)
    code = enrolment.issue(session, world.member, by=world.officer).code
    session.commit()
    w = Words(lang)
    handset = phone(world.member.phone)
    assert handset.walk("1").startswith("CON " + w(pin_screens.ASK_CODE))
    assert handset.reply("12345").startswith("CON " + w(pin_screens.BAD_CODE))
    assert handset.reply(wrong(code)).startswith("CON " + w.n(*WRONG_CODE, 2))
    assert handset.reply(code).startswith("CON " + w("Choose a PIN of 4 digits:"))
    assert handset.reply("123").startswith("CON " + w("A PIN is 4 digits."))
    assert handset.reply("1111").startswith("CON " + w("Too easy to guess. Choose another."))
    assert w("Type the same PIN again:") in handset.reply("4826")
    assert handset.reply("4827").startswith(
        f"CON {w('The PINs differ. Try again.')}\n{w('Choose a PIN of 4 digits:')}"
    )
    handset.reply("4826")
    assert handset.reply("4826").startswith(f"CON {w('PIN saved.')}\nGroupe VSLA1")
    member = fresh(session, world.member)
    assert pins.matches("4826", member.pin_hash, member.id) and member.pin_failures == 0
    # the code is spent: cleared again, the member has no code to type
    pins.reset_pin(session, member)
    session.commit()
    assert phone(world.member.phone).walk("1") == "END " + w(pin_screens.NO_CODE)


def test_two_sessions_racing_to_set_a_pin_one_wins(session, phone, world, lang):
    """Two sessions (say, the member and a relative who saw the code) both typed the code
    and chose a PIN; the first to confirm sets it, the other is refused and changes nothing."""
    pins.reset_pin(session, world.member)
    code = enrolment.issue(session, world.member).code
    session.commit()
    w = Words(lang)
    first, second = phone(world.member.phone), phone(world.member.phone)
    first.walk("1", code, "4826")
    second.walk("1", code, "1357")
    assert first.reply("4826").startswith(f"CON {w('PIN saved.')}")
    assert second.reply("1357") == "END " + w(pin_screens.NOT_SET)
    member = fresh(session, world.member)
    assert pins.matches("4826", member.pin_hash, member.id)
    assert not pins.matches("1357", member.pin_hash, member.id)
    # and a session that started before the PIN was set is asked for it, not for a new one
    assert phone(world.member.phone).walk("1").startswith("CON " + w("Enter your PIN:"))


def test_a_first_pin_from_change_pin_goes_by_the_code_too(session, phone, world, lang):
    pins.reset_pin(session, world.member)
    code = enrolment.issue(session, world.member).code
    session.commit()
    w = Words(lang)
    handset = phone(world.member.phone)
    assert handset.walk("7").startswith("CON " + w(pin_screens.ASK_CODE))
    handset.reply(code)
    handset.reply("4826")
    screen = handset.reply("4826")
    assert screen.startswith(f"CON {w('PIN saved.')}\n{w('Sanduku: {name}', name='Amani')}")
    assert pins.matches("4826", fresh(session, world.member).pin_hash, world.member.id)


def test_wrong_codes_count_toward_the_pin_lock(session, phone, world, lang):
    pins.reset_pin(session, world.member)
    code = enrolment.issue(session, world.member).code
    session.commit()
    w = Words(lang)
    handset = phone(world.member.phone)
    handset.walk("1")
    assert handset.reply(wrong(code)).startswith("CON " + w.n(*WRONG_CODE, 2))
    # a new session does not get fresh tries
    again = phone(world.member.phone)
    again.walk("1")
    assert again.reply(wrong(wrong(code))).startswith("CON " + w.n(*WRONG_CODE, 1))
    locked = again.reply(wrong(wrong(wrong(code))))
    assert locked.startswith("END " + w.head(LOCKED)) and w.shown(LOCKED, locked)
    # locked: even the right code is not asked for, in any session
    assert phone(world.member.phone).walk("1") == locked
    assert phone(world.member.phone).walk(f"1*{code}") == locked
    member = fresh(session, world.member)
    assert member.pin_hash is None and pins.locked_until(member) is not None


def test_a_code_is_for_its_own_member_only(session, phone, world, lang):
    """On the shared phone, the husband cannot use the wife's code, nor she his."""
    pins.reset_pin(session, world.wife)
    code = enrolment.issue(session, world.wife).code
    session.commit()
    w = Words(lang)
    husband = phone(world.shared)
    husband.walk("2")
    assert husband.reply("1") == "END " + w(pin_screens.NO_CODE)  # he holds no code
    his = enrolment.issue(session, world.husband).code
    session.commit()
    husband = phone(world.shared)
    husband.walk("2", "1")
    if his != code:
        assert husband.reply(code).startswith("CON " + w.n(*WRONG_CODE, 2))
    assert fresh(session, world.husband).pin_hash is None


def test_a_new_code_voids_the_earlier_one_and_codes_run_out(session, phone, world, lang):
    pins.reset_pin(session, world.member)
    first = enrolment.issue(session, world.member).code
    second = enrolment.issue(session, world.member).code
    session.commit()
    w = Words(lang)
    handset = phone(world.member.phone)
    handset.walk("1")
    if first != second:
        assert handset.reply(first).startswith("CON " + w.n(*WRONG_CODE, 2))
    assert handset.reply(second).startswith("CON " + w("Choose a PIN of 4 digits:"))
    # a code issued 25 hours ago has run out
    pins.reset_pin(session, fresh(session, world.member))
    old = enrolment.issue(session, world.member, now=utcnow() - dt.timedelta(hours=25))
    session.commit()
    assert old.code and phone(world.member.phone).walk("1") == "END " + w(pin_screens.NO_CODE)


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


def code_on(screen: str) -> str:
    (code,) = re.findall(r"(?<!\d)\d{6}(?!\d)", screen)
    return code


def test_an_officer_unlocks_a_members_pin_and_hands_over_a_code(session, phone, world, lang):
    w = Words(lang)
    lock(session, world.member)
    handset = phone(world.officer.phone)
    assert handset.walk("11", PIN).startswith(
        "CON " + w("Unlock whose PIN?\nPhone or member number:")
    )
    screen = handset.reply(world.member.phone)
    assert screen.startswith("CON Amani Furaha\n" + w.head("PIN locked until {when}."))
    assert w("Clear the PIN and give a new code?") in screen
    done = handset.reply("1")
    assert done.startswith(f"END {w('PIN cleared.')}\n" + w.head(CODE_FOR))
    assert w("Also sent to their phone by SMS.") in done  # the phone is hers alone
    code = code_on(done)
    # a retry of that request does not show the code again
    assert handset.resend() == "END " + w(
        "The code was shown once. If it was lost, issue a new one (12)."
    )
    member = fresh(session, world.member)
    assert member.pin_locked_until is None and member.pin_hash is None
    # the member types the code on their next dial, then chooses a new PIN
    handset = phone(world.member.phone)
    assert handset.walk("1").startswith("CON " + w(pin_screens.ASK_CODE))
    assert handset.reply(code).startswith("CON " + w("Choose a PIN of 4 digits:"))
    handset.reply("1357")
    assert handset.reply("1357").startswith(f"CON {w('PIN saved.')}\nGroupe VSLA1")


def test_an_officer_issues_a_code_with_item_12(session, phone, world, lang):
    w = Words(lang)
    pins.reset_pin(session, world.member)
    session.commit()
    handset = phone(world.officer.phone)
    assert handset.walk("12", PIN).startswith(
        "CON " + w("Enrolment code for whom?\nPhone or member number:")
    )
    screen = handset.reply(str(world.member.id))
    assert screen.startswith(f"CON Amani Furaha\n{w('No PIN yet.')}\n")
    assert w("Give an enrolment code?") in screen
    done = handset.reply("1")
    assert done.startswith("END " + w.head(CODE_FOR))
    code = code_on(done)
    assert (
        phone(world.member.phone)
        .walk("1", code)
        .startswith("CON " + w("Choose a PIN of 4 digits:"))
    )


def test_on_a_shared_phone_the_code_is_handed_over_not_texted(session, phone, world, lang):
    w = Words(lang)
    handset = phone(world.coordinator.phone)
    handset.walk("12", PIN, world.shared)
    assert handset.last.startswith("CON " + w("Which one?"))
    confirm = handset.reply("2")  # Dieudonne, who has no PIN yet
    assert confirm.startswith(f"CON Dieudonne Dhedonga\n{w('No PIN yet.')}")
    done = handset.reply("1")
    assert w("Shared phone: no SMS. Give it in person.") in done
    assert w("Also sent to their phone by SMS.") not in done
    # a member with a PIN is not given a code: 11 clears the PIN (and gives one)
    handset = phone(world.coordinator.phone)
    handset.walk("12", PIN, world.shared, "1")
    assert handset.reply("1").startswith(f"CON {w('Not saved:')}\n{w('Has a PIN: 11 clears it.')}")


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
    screen = phone(world.officer.phone).walk("12", PIN, stranger.phone)
    assert screen.startswith("CON " + w("No member with this number."))
    # and plain members do not see the items
    assert phone(world.member.phone).walk("11").startswith("CON " + w("Invalid choice."))
    assert phone(world.member.phone).walk("12").startswith("CON " + w("Invalid choice."))


def test_shared_phone_asks_who_is_calling_first(session, phone, world, lang):
    w = Words(lang)
    handset = phone(world.shared)
    first = handset.dial()
    assert first.startswith(f"CON {w('Who is calling?')}\n1 Furaha\n2 Dieudonne")
    assert handset.reply("3").startswith(f"CON {w('Invalid choice.')}\n{w('Who is calling?')}")
    assert handset.reply("1").startswith("CON " + w("Sanduku: {name}", name="Furaha"))
    assert handset.reply("1").startswith("CON " + w("Enter your PIN:"))  # Furaha has a PIN
    assert "Groupe VSLA1" in handset.reply(PIN)

    enrolment.issue(session, world.husband)
    session.commit()
    husband = phone(world.shared)
    husband.walk("2")
    assert husband.reply("1").startswith("CON " + w(pin_screens.ASK_CODE))  # their own
    # 00 after choosing goes to the chosen member's menu, not back to the choice
    assert husband.reply("00").startswith("CON " + w("Sanduku: {name}", name="Dieudonne"))


def test_shared_phone_with_two_of_the_same_first_name(session, phone, world):
    factories.member(session, world.group, name="Furaha Kavira", number=world.shared)
    session.commit()
    first = phone(world.shared).dial()
    assert "1 Furaha Dhedonga\n2 Dieudonne\n3 Furaha Kavira" in first
