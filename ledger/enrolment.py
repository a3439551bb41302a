"""One-time enrolment codes: how a member comes to choose a PIN.

A member without a PIN cannot set one by dialling alone: anyone holding the phone (a
relative on a shared household phone) could take the account over. An officer of the
member's group, or a coordinator, issues a code (``ENROLMENT_CODE_DIGITS`` digits, valid
``ENROLMENT_CODE_HOURS``, used once, for that one member) and is shown it; it is also texted
to the member when the phone is theirs alone (on a shared phone it is handed over in person,
so a relative cannot read it). The member dials, types the code once, then chooses a PIN,
typed twice. Issuing a new code voids the earlier unused ones.

Codes are stored only as a keyed hash (``ledger.pins.keyed_digest``) of the member and the
code. Wrong codes count toward the PIN lockout, so a code cannot be brute-forced. The PIN is
written with the code consumed in the same transaction, both conditional
(``members.pin_hash IS NULL``, ``enrolment_codes.used_at IS NULL``): of two sessions racing
with the same code, one sets the PIN and the other is refused.
"""

from __future__ import annotations

import datetime as dt
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from ledger import events, pins
from ledger.defaults import ENROLMENT_CODE_DIGITS, ENROLMENT_CODE_HOURS
from ledger.errors import LedgerError
from ledger.models import EnrolmentCode, Member, MemberStatus, utcnow


@dataclass(frozen=True)
class Issued:
    """A new code, to be shown once to whoever issued it (never stored in clear)."""

    code_id: int
    member: Member
    code: str
    expires_at: dt.datetime  # naive UTC
    #: Texted to the member too (their phone is theirs alone).
    texted: bool


def code_hash(member_id: int, code: str) -> str:
    return pins.keyed_digest("enrolment", str(member_id), code).hex()


def alone_on_phone(session: Session, member: Member) -> bool:
    """Nobody else, active or not, is registered on the member's phone."""
    others = session.scalar(
        select(func.count())
        .select_from(Member)
        .where(Member.phone == member.phone, Member.id != member.id)
    )
    return others == 0


def check_format(code: object) -> str:
    if (
        not isinstance(code, str)
        or len(code) != ENROLMENT_CODE_DIGITS
        or not code.isascii()
        or not code.isdigit()
    ):
        raise LedgerError(
            "bad_code", f"an enrolment code is {ENROLMENT_CODE_DIGITS} digits", "code"
        )
    return code


def void(session: Session, member: Member, now: dt.datetime) -> int:
    """Void the member's unused codes. Returns how many."""
    return session.execute(
        update(EnrolmentCode)
        .where(
            EnrolmentCode.member_id == member.id,
            EnrolmentCode.used_at.is_(None),
            EnrolmentCode.voided_at.is_(None),
        )
        .values(voided_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount


def issue(
    session: Session,
    member: Member,
    *,
    by: Member | None = None,
    token_id: int | None = None,
    now: dt.datetime | None = None,
    code: str | None = None,
) -> Issued:
    """A new code for ``member`` (who has no PIN), voiding earlier ones and lifting a lock
    left by wrong codes (whoever issues it is with the member). ``code`` is for the demo
    only: everywhere else it is drawn at random."""
    now = now or utcnow()
    if member.status != MemberStatus.ACTIVE:
        raise LedgerError("inactive", "the member is not active", "member")
    pins.lock_row(session, member)
    if pins.has_pin(member):
        raise LedgerError(
            "has_pin", "the member has a PIN: unlocking clears it and issues a code", "member"
        )
    void(session, member, now)
    code = check_format(code) if code is not None else _draw()
    row = EnrolmentCode(
        member_id=member.id,
        code_hash=code_hash(member.id, code),
        issued_by_id=by.id if by is not None else None,
        token_id=token_id,
        created_at=now,
        expires_at=now + dt.timedelta(hours=ENROLMENT_CODE_HOURS),
    )
    session.add(row)
    member.pin_failures = 0
    member.pin_locked_until = None
    session.flush()
    issued = Issued(row.id, member, code, row.expires_at, alone_on_phone(session, member))
    if issued.texted:
        events.emit(events.ENROLMENT_CODE_ISSUED, session, issued)
    return issued


def _draw() -> str:
    return f"{secrets.randbelow(10**ENROLMENT_CODE_DIGITS):0{ENROLMENT_CODE_DIGITS}d}"


def live_codes(session: Session, member: Member, now: dt.datetime) -> list[EnrolmentCode]:
    return list(
        session.scalars(
            select(EnrolmentCode)
            .where(
                EnrolmentCode.member_id == member.id,
                EnrolmentCode.used_at.is_(None),
                EnrolmentCode.voided_at.is_(None),
                EnrolmentCode.expires_at > now,
            )
            .order_by(EnrolmentCode.id)
        )
    )


def has_live_code(session: Session, member: Member, now: dt.datetime | None = None) -> bool:
    return bool(live_codes(session, member, now or utcnow()))


def check_code(
    session: Session, member: Member, code: str, now: dt.datetime | None = None
) -> int | None:
    """The id of the member's live code ``code``, or None (a failure counted toward the
    lockout, under the member's row lock, as for a PIN). Nothing is consumed yet: that
    happens with the PIN, in ``choose_pin``. Raises ``pin_locked`` (now or on this last
    allowed failure), ``has_pin`` and ``bad_code``. The caller commits, whatever the outcome."""
    now = now or utcnow()
    check_format(code)
    pins.lock_row(session, member)
    pins.check_not_locked(session, member, now)
    if pins.has_pin(member):
        raise LedgerError("has_pin", "the member has a PIN", "code")
    wanted = code_hash(member.id, code)
    found = None
    for row in live_codes(session, member, now):
        if hmac.compare_digest(row.code_hash, wanted):
            found = row.id
    if found is None:
        pins.count_failure(session, member, now)
        return None
    member.pin_failures = 0
    session.flush()
    return found


def choose_pin(
    session: Session, member: Member, pin: str, code_id: int, now: dt.datetime | None = None
) -> None:
    """Set the member's first PIN with the code ``check_code`` accepted, both at once and
    both conditional. Raises ``code_used`` when the code was used, voided or ran out
    meanwhile, and ``pin_taken`` when a PIN was set meanwhile: the caller rolls back."""
    now = now or utcnow()
    new_hash = pins.hash_pin(pins.check_new(pin), member.id)
    used = session.execute(
        update(EnrolmentCode)
        .where(
            EnrolmentCode.id == code_id,
            EnrolmentCode.member_id == member.id,
            EnrolmentCode.used_at.is_(None),
            EnrolmentCode.voided_at.is_(None),
            EnrolmentCode.expires_at > now,
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not used:
        raise LedgerError("code_used", "the enrolment code was used, voided or ran out", "code")
    taken = session.execute(
        update(Member)
        .where(Member.id == member.id, Member.pin_hash.is_(None))
        .values(pin_hash=new_hash, pin_failures=0, pin_locked_until=None)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not taken:
        raise LedgerError("pin_taken", "a PIN was set meanwhile", "pin")
    session.refresh(member, ["pin_hash", "pin_failures", "pin_locked_until"])
