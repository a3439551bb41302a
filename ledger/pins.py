"""Members' 4-digit PINs: set, verify with a lockout, reset.

Ten thousand PINs are too few for any hash cost to protect a stolen table: a slow KDF only
slows the screen. What protects them is a **server secret**: a PIN is stored as
``hmac-sha256$salt$digest``, the HMAC-SHA256 (keyed with a key derived from ``SECRET_KEY``)
of a per-PIN salt, the member's id and the PIN, so a copy of the database alone reveals
nothing, and a hash copied onto another member does not verify. The key is handed to this
module by ``configure`` (``create_app`` does it), never read here. Older ``scrypt$...``
hashes still verify and are replaced by the keyed hash at the next correct entry.

On line, the lockout protects the PIN: ``MAX_FAILURES`` wrong tries lock it for
``LOCK_MINUTES``, stored on the member so it survives new sessions. Check-and-count runs with
the member's row locked (``SELECT ... FOR UPDATE``; SQLite's writers are serialised by
``BEGIN IMMEDIATE``), so parallel guesses from many sessions test at most ``MAX_FAILURES``
PINs before the lock. Wrong enrolment codes (``ledger.enrolment``) count toward the same lock.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import itertools
import secrets

from sqlalchemy import update
from sqlalchemy.orm import Session

from ledger.errors import LedgerError
from ledger.models import Member, utcnow

#: Wrong tries in a row before the PIN locks (the issue's rule).
MAX_FAILURES = 3
#: How long a lock lasts; an officer or coordinator can lift it sooner.
LOCK_MINUTES = 30
#: Random salt per PIN, in bytes.
SALT_BYTES = 16
PIN_LENGTH = 4
#: Shortest key ``configure`` accepts: 128 bits.
MIN_KEY_BYTES = 16

SCHEME = "hmac-sha256"

_key: bytes | None = None


def configure(key: bytes) -> None:
    """Give the books the key of their keyed hashes (PINs, enrolment codes)."""
    global _key
    if not isinstance(key, bytes) or len(key) < MIN_KEY_BYTES:
        raise ValueError(f"the PIN key must be at least {MIN_KEY_BYTES} bytes")
    _key = key


def keyed_digest(purpose: str, *parts: str | bytes) -> bytes:
    """HMAC-SHA256 with the configured key over ``purpose`` and length-prefixed ``parts``
    (so no two different part lists give the same message)."""
    if _key is None:
        raise RuntimeError("ledger.pins is not configured: call ledger.pins.configure(key)")
    mac = hmac.new(_key, purpose.encode(), hashlib.sha256)
    for part in parts:
        raw = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
        mac.update(len(raw).to_bytes(4, "big") + raw)
    return mac.digest()


def check_format(pin: object) -> str:
    if not isinstance(pin, str) or len(pin) != PIN_LENGTH or not pin.isascii() or not pin.isdigit():
        raise LedgerError("bad_pin", f"a PIN is {PIN_LENGTH} digits", "pin")
    return pin


def check_new(pin: object) -> str:
    """A PIN a member may choose: four digits, not all the same, not a run (1234, 9876)."""
    pin = check_format(pin)
    steps = {int(b) - int(a) for a, b in itertools.pairwise(pin)}
    if steps in ({0}, {1}, {-1}):
        raise LedgerError("weak_pin", "that PIN is too easy to guess", "pin")
    return pin


def _digest(pin: str, member_id: int, salt: bytes) -> bytes:
    return keyed_digest("pin", salt, str(member_id), pin)


def hash_pin(pin: str, member_id: int) -> str:
    salt = secrets.token_bytes(SALT_BYTES)
    return f"{SCHEME}${salt.hex()}${_digest(pin, member_id, salt).hex()}"


def _scrypt(pin: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(pin.encode(), salt=salt, n=n, r=r, p=p, maxmem=64 * 1024 * 1024, dklen=32)


def matches(pin: str, stored: str, member_id: int) -> bool:
    """Whether ``pin`` is the one behind ``stored`` (no lockout here: see ``verify_pin``)."""
    try:
        scheme, rest = stored.split("$", 1)
        if scheme == SCHEME:
            salt, digest = rest.split("$")
            computed = _digest(pin, member_id, bytes.fromhex(salt))
        elif scheme == "scrypt":  # stored before the keyed hash
            n, r, p, salt, digest = rest.split("$")
            computed = _scrypt(pin, bytes.fromhex(salt), int(n), int(r), int(p))
        else:
            return False
        return hmac.compare_digest(computed, bytes.fromhex(digest))
    except ValueError:
        return False


def has_pin(member: Member) -> bool:
    return bool(member.pin_hash)


def locked_until(member: Member, now: dt.datetime | None = None) -> dt.datetime | None:
    """When the member's lock ends (naive UTC), or None when the PIN is not locked."""
    now = now or utcnow()
    if member.pin_locked_until is not None and member.pin_locked_until > now:
        return member.pin_locked_until
    return None


def lock_row(session: Session, member: Member) -> None:
    """Reload the member's PIN fields with the row locked until the transaction ends."""
    session.refresh(member, ["pin_hash", "pin_failures", "pin_locked_until"], with_for_update=True)


def locked_member(session: Session, member_id: int) -> Member | None:
    """The member read with the row locked until the transaction ends: one statement where
    a read, then ``lock_row``, are two (a PIN check on the phone's busiest hop)."""
    return session.get(Member, member_id, with_for_update=True, populate_existing=True)


def check_not_locked(session: Session, member: Member, now: dt.datetime) -> None:
    """Raise ``pin_locked`` while locked; a lock that has run out starts a fresh count.
    The row must be locked (``lock_row``)."""
    until = locked_until(member, now)
    if until is not None:
        raise LedgerError("pin_locked", "the PIN is locked", "pin", until=until)
    if member.pin_locked_until is not None:
        member.pin_failures = 0
        member.pin_locked_until = None


def count_failure(session: Session, member: Member, now: dt.datetime) -> None:
    """One more wrong PIN or code; the last allowed one locks (and raises ``pin_locked``).
    The row must be locked (``lock_row``)."""
    member.pin_failures = (member.pin_failures or 0) + 1
    if member.pin_failures >= MAX_FAILURES:
        member.pin_locked_until = now + dt.timedelta(minutes=LOCK_MINUTES)
        member.pin_failures = 0
        session.flush()
        raise LedgerError(
            "pin_locked", "too many wrong tries", "pin", until=member.pin_locked_until
        )
    session.flush()


def verify_pin(
    session: Session,
    member: Member,
    pin: str,
    now: dt.datetime | None = None,
    *,
    locked: bool = False,
) -> bool:
    """True when ``pin`` is the member's PIN. A wrong PIN counts a failure and the last
    allowed failure locks; the row is locked throughout, so parallel sessions share the
    same three tries. Raises ``LedgerError("pin_locked", until=...)`` while locked and
    ``no_pin`` without one. ``locked``: the caller read the member with ``locked_member``
    in this transaction. The caller commits, whatever the outcome."""
    now = now or utcnow()
    if not locked:
        lock_row(session, member)
    check_not_locked(session, member, now)
    if not has_pin(member):
        raise LedgerError("no_pin", "no PIN has been set", "pin")
    if isinstance(pin, str) and len(pin) == PIN_LENGTH and matches(pin, member.pin_hash, member.id):
        member.pin_failures = 0
        member.pin_locked_until = None
        if not member.pin_hash.startswith(SCHEME + "$"):
            member.pin_hash = hash_pin(pin, member.id)  # the old scrypt hash, upgraded
        session.flush()
        return True
    count_failure(session, member, now)
    return False


def tries_left(member: Member) -> int:
    return max(0, MAX_FAILURES - (member.pin_failures or 0))


def set_pin(session: Session, member: Member, pin: str) -> None:
    """Set the PIN outright (the books' own use: tests, seeding). Members go through
    ``ledger.enrolment.choose_pin`` or ``change_pin``, which refuse a race."""
    member.pin_hash = hash_pin(check_new(pin), member.id)
    member.pin_failures = 0
    member.pin_locked_until = None
    session.flush()


def change_pin(session: Session, member: Member, pin: str) -> None:
    """A member who gave their PIN in this session chooses another. Refused
    (``pin_changed``) if the PIN was cleared meanwhile (an officer's unlock wins)."""
    new_hash = hash_pin(check_new(pin), member.id)
    changed = session.execute(
        update(Member)
        .where(Member.id == member.id, Member.pin_hash.is_not(None))
        .values(pin_hash=new_hash, pin_failures=0, pin_locked_until=None)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not changed:
        raise LedgerError("pin_changed", "the PIN was cleared meanwhile", "pin")
    session.refresh(member, ["pin_hash", "pin_failures", "pin_locked_until"])


def reset_pin(session: Session, member: Member) -> None:
    """Lift a lock and forget the PIN: the member chooses a new one with an enrolment code
    (a locked-out member has usually forgotten it)."""
    member.pin_hash = None
    member.pin_failures = 0
    member.pin_locked_until = None
    session.flush()
