"""Members' 4-digit PINs: set, verify with a lockout, reset.

Ten thousand PINs are too few for any hash cost to protect a stolen table, so the KDF is
kept cheap (a screen must answer in tens of milliseconds) and the real protection is the
lockout: ``MAX_FAILURES`` wrong tries lock the PIN for ``LOCK_MINUTES``, stored on the member
so it survives new sessions. Hashes are ``scrypt$n$r$p$salt$hash`` (hex), so the cost can be
raised later without invalidating stored PINs.
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
#: scrypt cost: 4 MiB and about 10 ms here; see the module docstring for why it is modest.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**12, 8, 1
#: Random salt per PIN, in bytes.
SALT_BYTES = 16
PIN_LENGTH = 4


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


def hash_pin(pin: str) -> str:
    salt = secrets.token_bytes(SALT_BYTES)
    digest = _scrypt(pin, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${digest.hex()}"


def _scrypt(pin: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(pin.encode(), salt=salt, n=n, r=r, p=p, maxmem=64 * 1024 * 1024, dklen=32)


def matches(pin: str, stored: str) -> bool:
    """Whether ``pin`` is the one behind ``stored`` (no lockout here: see ``verify_pin``)."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        computed = _scrypt(pin, bytes.fromhex(salt), int(n), int(r), int(p))
    except ValueError:
        return False
    return hmac.compare_digest(computed, bytes.fromhex(digest))


def has_pin(member: Member) -> bool:
    return bool(member.pin_hash)


def locked_until(member: Member, now: dt.datetime | None = None) -> dt.datetime | None:
    """When the member's lock ends (naive UTC), or None when the PIN is not locked."""
    now = now or utcnow()
    if member.pin_locked_until is not None and member.pin_locked_until > now:
        return member.pin_locked_until
    return None


def set_pin(session: Session, member: Member, pin: str) -> None:
    member.pin_hash = hash_pin(check_new(pin))
    member.pin_failures = 0
    member.pin_locked_until = None
    session.flush()


def verify_pin(session: Session, member: Member, pin: str, now: dt.datetime | None = None) -> bool:
    """True when ``pin`` is the member's PIN. A wrong PIN counts a failure (atomically, so
    parallel sessions cannot share out extra tries) and the last allowed failure locks.
    Raises ``LedgerError("pin_locked", until=...)`` while locked and ``no_pin`` without one."""
    now = now or utcnow()
    until = locked_until(member, now)
    if until is not None:
        raise LedgerError("pin_locked", "the PIN is locked", "pin", until=until)
    if not has_pin(member):
        raise LedgerError("no_pin", "no PIN has been set", "pin")
    if isinstance(pin, str) and len(pin) == PIN_LENGTH and matches(pin, member.pin_hash or ""):
        if member.pin_failures or member.pin_locked_until:
            member.pin_failures = 0
            member.pin_locked_until = None
            session.flush()
        return True
    if member.pin_locked_until is not None:  # an old lock has run out: a fresh count
        session.execute(
            update(Member)
            .where(Member.id == member.id)
            .values(pin_failures=0, pin_locked_until=None)
        )
    session.execute(
        update(Member).where(Member.id == member.id).values(pin_failures=Member.pin_failures + 1)
    )
    session.refresh(member, ["pin_failures", "pin_locked_until"])
    if member.pin_failures >= MAX_FAILURES:
        member.pin_locked_until = now + dt.timedelta(minutes=LOCK_MINUTES)
        member.pin_failures = 0
        session.flush()
        raise LedgerError("pin_locked", "too many wrong PINs", "pin", until=member.pin_locked_until)
    session.flush()
    return False


def tries_left(member: Member) -> int:
    return max(0, MAX_FAILURES - (member.pin_failures or 0))


def reset_pin(session: Session, member: Member) -> None:
    """Lift a lock and forget the PIN: the member chooses a new one on their next dial
    (a locked-out member has usually forgotten it)."""
    member.pin_hash = None
    member.pin_failures = 0
    member.pin_locked_until = None
    session.flush()
