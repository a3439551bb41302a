"""Console logins: staff members (coordinator, officer, buyer) with a password.

The books keep who may log in and the lockout; the password's hash is made and checked by
the channel with a library KDF (the books import no web library), handed in as ``check``.
Like the PIN (``ledger.pins``), ``MAX_FAILURES`` wrong passwords in a row lock the login for
``LOCK_MINUTES``, counted with the member's row locked (``SELECT ... FOR UPDATE``), so
parallel guesses share the same tries. Nothing here says whether a phone is known: every
refusal before the lock is the same ``bad_login``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.errors import LedgerError
from ledger.models import Member, MemberStatus, Role, utcnow

#: Wrong passwords in a row before the login locks.
MAX_FAILURES = 5
LOCK_MINUTES = 15
#: The roles that may log in to the console.
STAFF = (Role.COORDINATOR, Role.OFFICER, Role.BUYER)
MIN_PASSWORD = 10
MAX_PASSWORD = 200


def is_staff(member: Member) -> bool:
    return member.status == MemberStatus.ACTIVE and any(member.has_role(r) for r in STAFF)


def staff_on_phone(session: Session, phone: str) -> list[Member]:
    """The active staff members who use ``phone`` (a shared phone may hold several)."""
    found = session.scalars(select(Member).where(Member.phone == phone).order_by(Member.id))
    return [m for m in found if is_staff(m)]


def check_new_password(password: object) -> str:
    if not isinstance(password, str) or not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise LedgerError(
            "bad_password",
            f"a password has {MIN_PASSWORD} to {MAX_PASSWORD} characters",
            "password",
        )
    if len(set(password)) < 4:
        raise LedgerError("weak_password", "that password is too easy to guess", "password")
    return password


def set_password(session: Session, member: Member, hashed: str) -> None:
    """Store a new password hash and lift any lock."""
    if not is_staff(member):
        raise LedgerError("not_staff", "only a coordinator, officer or buyer logs in", "phone")
    member.password_hash = hashed
    member.password_failures = 0
    member.password_locked_until = None
    session.flush()


def _lock_row(session: Session, member: Member) -> None:
    session.refresh(
        member,
        ["password_hash", "password_failures", "password_locked_until"],
        with_for_update=True,
    )


def locked_until(member: Member, now: dt.datetime) -> dt.datetime | None:
    until = member.password_locked_until
    return until if until is not None and until > now else None


def log_in(
    session: Session,
    phone: str,
    check: Callable[[str], bool],
    now: dt.datetime | None = None,
) -> Member:
    """The staff member of ``phone`` whose stored hash ``check`` accepts. A wrong password
    counts a failure on every account of the phone; the fifth locks them. Raises
    ``login_locked`` (with ``until``) while locked, ``bad_login`` otherwise. The caller
    commits whatever the outcome, so the count is kept."""
    now = now or utcnow()
    accounts = [m for m in staff_on_phone(session, phone) if m.password_hash]
    for member in accounts:
        _lock_row(session, member)
    for member in accounts:
        until = locked_until(member, now)
        if until is not None:
            raise LedgerError("login_locked", "too many wrong passwords", "password", until=until)
    for member in accounts:
        if member.password_hash and check(member.password_hash):
            member.password_failures = 0
            member.password_locked_until = None
            session.flush()
            return member
    for member in accounts:
        if member.password_locked_until is not None:  # a lock that ran out: a fresh count
            member.password_failures = 0
            member.password_locked_until = None
        member.password_failures = (member.password_failures or 0) + 1
        if member.password_failures >= MAX_FAILURES:
            member.password_failures = 0
            member.password_locked_until = now + dt.timedelta(minutes=LOCK_MINUTES)
    session.flush()
    until = max((locked_until(m, now) or now for m in accounts), default=now)
    if until > now:
        raise LedgerError("login_locked", "too many wrong passwords", "password", until=until)
    raise LedgerError("bad_login", "wrong phone or password", "password")
