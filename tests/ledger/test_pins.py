"""PINs in the books: keyed, salted hashes bound to the member; a lockout stored on the
member that holds under parallel guesses; enrolment codes that set a PIN once."""

import datetime as dt
import hashlib
import secrets
import threading

import pytest
from sqlalchemy.orm import Session

from ledger import db, enrolment, pins
from ledger.errors import LedgerError
from ledger.models import EnrolmentCode, Member
from tests import factories

NOW = dt.datetime(2026, 3, 2, 10, 0)


@pytest.fixture
def member(session):
    person = factories.member(session, name="Amani Furaha")
    pins.set_pin(session, person, "2580")
    session.commit()
    return person


def test_hash_is_keyed_salted_and_bound_to_the_member(session, member):
    other = factories.member(session, name="Neema Kahindo")
    first, second = pins.hash_pin("2580", member.id), pins.hash_pin("2580", member.id)
    assert first != second  # a salt per PIN
    assert first.startswith("hmac-sha256$") and "2580" not in first
    assert pins.matches("2580", first, member.id) and pins.matches("2580", second, member.id)
    assert not pins.matches("2581", first, member.id)
    assert not pins.matches("2580", first, other.id)  # copied onto another member: no use
    assert not pins.matches("2580", "garbage", member.id)
    assert not pins.matches("2580", "hmac-sha256$zz$zz", member.id)
    assert not pins.matches("2580", "scrypt$1$2$3$zz$zz", member.id)


def test_a_database_leak_alone_reveals_nothing(session, member, monkeypatch):
    """Someone with the table but not the server's key tries all 10,000 PINs: none fits."""
    stored = member.pin_hash
    monkeypatch.setattr(pins, "_key", secrets.token_bytes(32))  # any key but the server's
    assert [
        p for p in (f"{n:04d}" for n in range(10_000)) if pins.matches(p, stored, member.id)
    ] == []


def test_the_books_refuse_to_hash_without_a_key(monkeypatch):
    monkeypatch.setattr(pins, "_key", None)
    with pytest.raises(RuntimeError, match="configure"):
        pins.hash_pin("2580", 1)
    with pytest.raises(ValueError):
        pins.configure(b"short")


def test_old_scrypt_hashes_verify_and_are_upgraded(session, member):
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(b"2580", salt=salt, n=2**12, r=8, p=1, maxmem=2**26, dklen=32)
    member.pin_hash = f"scrypt${2**12}$8$1${salt.hex()}${digest.hex()}"
    session.commit()
    assert pins.verify_pin(session, member, "2581", NOW) is False
    assert member.pin_hash.startswith("scrypt$")  # a wrong PIN changes nothing
    assert pins.verify_pin(session, member, "2580", NOW) is True
    session.commit()
    session.expire_all()
    upgraded = session.get(Member, member.id)
    assert upgraded.pin_hash.startswith("hmac-sha256$")
    assert pins.verify_pin(session, upgraded, "2580", NOW) is True


def race(threads: int, work) -> list:
    """``work(session)`` in ``threads`` threads at once, each with its own session and
    transaction (committed, whatever happens); the outcomes."""
    barrier = threading.Barrier(threads)
    outcomes: list = []
    lock = threading.Lock()

    def run():
        with Session(db.engine(), expire_on_commit=False) as own:
            barrier.wait(timeout=30)
            try:
                outcome = work(own)
            except LedgerError as exc:
                outcome = exc.code
            own.commit()
        with lock:
            outcomes.append(outcome)

    runners = [threading.Thread(target=run) for _ in range(threads)]
    for runner in runners:
        runner.start()
    for runner in runners:
        runner.join(timeout=60)
    assert len(outcomes) == threads
    return outcomes


def counting(monkeypatch, module, name: str) -> list:
    """Count calls of ``module.name`` (from any thread)."""
    calls: list = []
    real = getattr(module, name)

    def wrapper(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, wrapper)
    return calls


def test_parallel_wrong_pins_test_at_most_three(session, member, monkeypatch):
    """20 forged sessions guess at once: the row lock makes them take turns, so no more
    than MAX_FAILURES PINs are ever compared before the lock."""
    compared = counting(monkeypatch, pins, "matches")
    guesses = iter(f"{n:04d}" for n in range(1000, 1020))
    guess_lock = threading.Lock()

    def guess(own: Session):
        with guess_lock:
            pin = next(guesses)
        return pins.verify_pin(own, own.get(Member, member.id), pin)

    outcomes = race(20, guess)
    assert len(compared) <= pins.MAX_FAILURES, len(compared)
    assert outcomes.count("pin_locked") >= 20 - pins.MAX_FAILURES + 1
    assert True not in outcomes
    session.expire_all()
    assert pins.locked_until(session.get(Member, member.id)) is not None


def test_parallel_wrong_codes_test_at_most_three(session, member, monkeypatch):
    pins.reset_pin(session, member)
    code = enrolment.issue(session, member).code
    session.commit()
    compared = counting(monkeypatch, enrolment, "code_hash")
    wrong = iter(f"{(int(code) + n) % 10**6:06d}" for n in range(1, 21))
    wrong_lock = threading.Lock()

    def guess(own: Session):
        with wrong_lock:
            attempt = next(wrong)
        return enrolment.check_code(own, own.get(Member, member.id), attempt)

    outcomes = race(20, guess)
    assert len(compared) <= pins.MAX_FAILURES, len(compared)
    assert [o for o in outcomes if o not in (None, "pin_locked")] == []
    session.expire_all()
    assert pins.locked_until(session.get(Member, member.id)) is not None


def test_two_sessions_racing_to_set_a_pin_with_one_code(session, member):
    """Both typed the code and chose a PIN; they confirm at once: one wins, the other is
    refused, and the PIN is the winner's."""
    pins.reset_pin(session, member)
    issued = enrolment.issue(session, member)
    session.commit()
    code_id = enrolment.check_code(session, member, issued.code)
    session.commit()
    chosen = iter(["4826", "1357"])
    choice_lock = threading.Lock()
    winners: dict[str, str] = {}

    def confirm(own: Session):
        with choice_lock:
            pin = next(chosen)
        enrolment.choose_pin(own, own.get(Member, member.id), pin, code_id)
        winners["pin"] = pin
        return "set"

    outcomes = race(2, confirm)
    assert sorted(outcomes) in (["code_used", "set"], ["pin_taken", "set"])
    session.expire_all()
    stored = session.get(Member, member.id).pin_hash
    assert pins.matches(winners["pin"], stored, member.id)
    (row,) = session.query(EnrolmentCode).all()
    assert row.used_at is not None and row.code_hash != issued.code


def test_a_code_never_overwrites_a_pin_set_meanwhile(session, member):
    pins.reset_pin(session, member)
    issued = enrolment.issue(session, member)
    code_id = enrolment.check_code(session, member, issued.code)
    session.commit()
    pins.set_pin(session, member, "1357")  # set some other way meanwhile
    session.commit()
    with pytest.raises(LedgerError) as caught:
        enrolment.choose_pin(session, member, "4826", code_id)
    assert caught.value.code == "pin_taken"
    session.rollback()
    session.expire_all()
    assert pins.matches("1357", session.get(Member, member.id).pin_hash, member.id)


def test_codes_are_six_digits_for_one_active_member_without_pin(session, member):
    with pytest.raises(LedgerError) as caught:
        enrolment.issue(session, member)
    assert caught.value.code == "has_pin"
    pins.reset_pin(session, member)
    issued = enrolment.issue(session, member)
    assert len(issued.code) == 6 and issued.code.isdigit()
    assert issued.expires_at - dt.timedelta(hours=24) <= dt.datetime.now(dt.UTC).replace(
        tzinfo=None
    )
    (row,) = session.query(EnrolmentCode).all()
    assert issued.code not in row.code_hash and len(row.code_hash) == 64
    for bad in ("12345", "1234567", "12a456", "１２３４５６", None):
        with pytest.raises(LedgerError) as caught:
            enrolment.check_code(session, member, bad)
        assert caught.value.code == "bad_code"
    assert member.pin_failures == 0  # malformed codes cost no try


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
