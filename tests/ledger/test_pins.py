"""PINs in the books: salted scrypt hashes, a lockout stored on the member."""

import datetime as dt

import pytest

from ledger import pins
from ledger.errors import LedgerError
from ledger.models import Member
from tests import factories

NOW = dt.datetime(2026, 3, 2, 10, 0)


@pytest.fixture
def member(session):
    person = factories.member(session, name="Amani Furaha")
    pins.set_pin(session, person, "2580")
    session.commit()
    return person


def test_hash_is_salted_and_verifies(member):
    first, second = pins.hash_pin("2580"), pins.hash_pin("2580")
    assert first != second  # a salt per PIN
    assert first.startswith(f"scrypt${pins.SCRYPT_N}$") and "2580" not in first
    assert pins.matches("2580", first) and pins.matches("2580", second)
    assert not pins.matches("2581", first)
    assert not pins.matches("2580", "garbage") and not pins.matches("2580", "scrypt$1$2$3$zz$zz")


@pytest.mark.parametrize("pin", ["123", "12345", "12a4", "", "１２３４", None])
def test_a_pin_is_four_digits(session, member, pin):
    with pytest.raises(LedgerError) as caught:
        pins.set_pin(session, member, pin)
    assert caught.value.code == "bad_pin"


@pytest.mark.parametrize("pin", ["0000", "7777", "1234", "6789", "9876", "3210"])
def test_guessable_pins_are_refused(session, member, pin):
    with pytest.raises(LedgerError) as caught:
        pins.set_pin(session, member, pin)
    assert caught.value.code == "weak_pin"


def test_three_wrong_tries_lock_for_thirty_minutes(session, member):
    assert pins.verify_pin(session, member, "1111", NOW) is False
    assert pins.tries_left(member) == 2
    assert pins.verify_pin(session, member, "1111", NOW) is False
    with pytest.raises(LedgerError) as caught:
        pins.verify_pin(session, member, "1111", NOW)
    assert caught.value.code == "pin_locked"
    assert caught.value.params["until"] == NOW + dt.timedelta(minutes=30)
    session.commit()

    # Stored: a fresh load of the member is still locked, even with the right PIN.
    session.expunge_all()
    again = session.get(Member, member.id)
    assert pins.locked_until(again, NOW + dt.timedelta(minutes=29)) is not None
    with pytest.raises(LedgerError):
        pins.verify_pin(session, again, "2580", NOW + dt.timedelta(minutes=29))

    # After the lock, the right PIN works and the count starts again.
    later = NOW + dt.timedelta(minutes=31)
    assert pins.locked_until(again, later) is None
    assert pins.verify_pin(session, again, "2580", later) is True
    assert again.pin_failures == 0 and again.pin_locked_until is None


def test_an_expired_lock_gives_three_fresh_tries(session, member):
    for _ in range(2):
        pins.verify_pin(session, member, "1111", NOW)
    with pytest.raises(LedgerError):
        pins.verify_pin(session, member, "1111", NOW)
    later = NOW + dt.timedelta(hours=1)
    assert pins.verify_pin(session, member, "1111", later) is False
    assert pins.tries_left(member) == 2


def test_right_pin_clears_earlier_failures(session, member):
    pins.verify_pin(session, member, "1111", NOW)
    assert pins.verify_pin(session, member, "2580", NOW) is True
    assert member.pin_failures == 0


def test_reset_lifts_the_lock_and_forgets_the_pin(session, member):
    for _ in range(2):
        pins.verify_pin(session, member, "1111", NOW)
    with pytest.raises(LedgerError):
        pins.verify_pin(session, member, "1111", NOW)
    pins.reset_pin(session, member)
    assert not pins.has_pin(member) and pins.locked_until(member, NOW) is None
    with pytest.raises(LedgerError) as caught:
        pins.verify_pin(session, member, "2580", NOW)
    assert caught.value.code == "no_pin"
