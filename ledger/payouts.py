"""Payouts: a miner's premium (or a purchase paid by mobile money) handed over, once.

A payout is written in the transaction of its cause (a premium's approval, a purchase), so
neither exists without the other; its ``reference`` is unique and is what the provider sees,
so a payout is never paid twice even when a call is repeated. The state machine is drawn in
``ledger.models.payouts.PayoutState``.

**Cash**: the miner's SMS carries a one-time code of ``CASH_CODE_DIGITS`` digits, stored only
as a keyed hash of the payout and the code. The buyer records the code (USSD, or the
console) when handing the cash over: the right code of that miner's pending payout pays it,
once (a conditional ``UPDATE ... WHERE state = 'pending'``); a wrong code, or another miner's,
is refused, and after ``CASH_CODE_TRIES`` wrong codes the payout waits for a coordinator,
who has a new code sent to the miner (``new_cash_code``).
"""

from __future__ import annotations

import datetime as dt
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ledger import events, journal, pins
from ledger.authors import Author
from ledger.errors import LedgerError
from ledger.models import (
    AccountKind,
    EntryKind,
    LineState,
    Member,
    Payout,
    PayoutMethod,
    PayoutState,
    PremiumLine,
    utcnow,
)

#: Digits of a cash code: a million codes, and a payout refuses after a few wrong ones.
CASH_CODE_DIGITS = 6
#: Wrong codes a cash payout takes before it waits for a coordinator.
CASH_CODE_TRIES = 5

_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def code_hash(payout_id: int, code: str) -> str:
    return pins.keyed_digest("payout", str(payout_id), code).hex()


def _give_code(payout: Payout) -> str:
    """A fresh one-time cash code for ``payout``: kept as its keyed hash, returned once."""
    code = "".join(secrets.choice("0123456789") for _ in range(CASH_CODE_DIGITS))
    payout.code_hash = code_hash(payout.id, code)
    return code


def create(
    session: Session,
    *,
    member: Member,
    cooperative_id: int,
    amount: int,
    currency: str,
    method: PayoutMethod,
    cause: str,
) -> tuple[Payout, str | None]:
    """A pending payout; for cash, also its one-time code (returned once, kept hashed)."""
    payout = Payout(
        reference="PO" + "".join(secrets.choice(_ALPHABET) for _ in range(18)),
        cause=cause,
        cooperative_id=cooperative_id,
        member_id=member.id,
        method=method,
        amount=amount,
        currency=currency,
        state=PayoutState.PENDING,
        attempts=0,
    )
    session.add(payout)
    session.flush()
    code = None
    if method == PayoutMethod.CASH:
        code = _give_code(payout)
    return payout, code


def pending_cash(session: Session, member: Member, cooperative_id: int) -> list[Payout]:
    """The member's cash payouts waiting at the cooperative, oldest first."""
    return list(
        session.scalars(
            select(Payout)
            .where(
                Payout.member_id == member.id,
                Payout.cooperative_id == cooperative_id,
                Payout.method == PayoutMethod.CASH,
                Payout.state == PayoutState.PENDING,
            )
            .order_by(Payout.id)
        )
    )


def redeem_cash(
    session: Session, *, member: Member, cooperative_id: int, code: object, by: Author | None
) -> Payout | None:
    """Pay the member's cash payout whose code this is. None: a wrong code (or another
    miner's, or a used one), counted against her waiting payouts, so the caller commits to
    keep the count. A code that is not ``CASH_CODE_DIGITS`` digits is refused (no try)."""
    if (
        not isinstance(code, str)
        or len(code) != CASH_CODE_DIGITS
        or not (code.isascii() and code.isdigit())
    ):
        raise LedgerError("bad_code", f"a payout code is {CASH_CODE_DIGITS} digits", "code")
    waiting = pending_cash(session, member, cooperative_id)
    for payout in waiting:
        usable = payout.code_hash and payout.attempts < CASH_CODE_TRIES
        if usable and hmac.compare_digest(payout.code_hash, code_hash(payout.id, code)):
            return mark_paid(session, payout, by=by, clear_code=True)
    for payout in waiting:  # every waiting payout of hers counts the wrong try
        session.execute(
            update(Payout).where(Payout.id == payout.id).values(attempts=Payout.attempts + 1)
        )
    return None


@dataclass
class NewCode:
    """A cash payout's new one-time code, for the SMS to its miner (never stored plain)."""

    payout: Payout
    code: str


def new_cash_code(session: Session, payout: Payout) -> NewCode:
    """A new code for a cash payout still waiting, when the miner lost hers or wrong tries
    locked it: the old code stops working and the wrong tries are forgotten. The code goes by
    SMS to the miner's own phone only (``events.CASH_CODE_ISSUED``), never to whoever asked,
    so the person who issues it cannot also collect the cash."""
    locked = session.scalar(select(Payout).where(Payout.id == payout.id).with_for_update())
    if locked is None or locked.method != PayoutMethod.CASH:
        raise LedgerError("not_cash", "only a cash payout has a code", "payout")
    if locked.state != PayoutState.PENDING:
        raise LedgerError("not_waiting", "this payout is not waiting to be paid", "payout")
    code, locked.attempts = _give_code(locked), 0
    session.flush()
    issued = NewCode(locked, code)
    events.emit(events.CASH_CODE_ISSUED, session, issued)
    return issued


def mark_paid(
    session: Session,
    payout: Payout,
    *,
    by: Author | None = None,
    provider_id: str | None = None,
    clear_code: bool = False,
    from_states: tuple[PayoutState, ...] = (PayoutState.PENDING,),
) -> Payout:
    """Paid, once: a conditional update, so two buyers (or a callback and a status query)
    settling the same payout at once pay it once; the loser is told it was already paid."""
    now = utcnow()
    values: dict = {
        "state": PayoutState.PAID,
        "paid_at": now,
        "updated_at": now,
        "paid_by": by.tag if by else None,
        "lease_until": None,
    }
    if clear_code:
        values["code_hash"] = None
    if provider_id:
        values["provider_id"] = provider_id
    done = session.execute(
        update(Payout).where(Payout.id == payout.id, Payout.state.in_(from_states)).values(**values)
    ).rowcount
    if done != 1:
        raise LedgerError("already_paid", "this payout is already settled", "code")
    session.refresh(payout)
    _book(session, payout)
    return payout


def _book(session: Session, payout: Payout) -> None:
    """A premium's payout: her premium payable is settled, the premium received goes out."""
    kind, _, cause_id = payout.cause.partition(":")
    if kind != "premium_line":
        return  # a purchase paid by mobile money is already in the books (gold purchase)
    entry = journal.post(
        session,
        EntryKind.PREMIUM_PAYOUT,
        payout.currency,
        [
            (
                journal.account(
                    session,
                    AccountKind.PREMIUM_PAYABLE,
                    payout.currency,
                    member_id=payout.member_id,
                ),
                payout.amount,
            ),
            (
                journal.account(
                    session,
                    AccountKind.PREMIUM_RECEIVED,
                    payout.currency,
                    cooperative_id=payout.cooperative_id,
                ),
                -payout.amount,
            ),
        ],
        occurred_on=(payout.paid_at or utcnow()).date(),
        cooperative_id=payout.cooperative_id,
        member_id=payout.member_id,
        memo=f"payout {payout.reference}",
    )
    payout.entry_id = entry.id
    session.execute(
        update(PremiumLine)
        .where(PremiumLine.id == int(cause_id), PremiumLine.state == LineState.PAYABLE)
        .values(state=LineState.PAID)
    )
    session.flush()


def by_cause(session: Session, causes: list[str]) -> dict[str, Payout]:
    """The payouts of these causes (``premium_line:12``...), by cause."""
    if not causes:
        return {}
    return {p.cause: p for p in session.scalars(select(Payout).where(Payout.cause.in_(causes)))}


# -- mobile money: the provider's side of the state machine ----------------------------------
#
# The worker (``payouts.jobs``) claims a pending payout, commits, calls the provider, then
# settles it with the provider's word: ``paid``, ``failed`` (for good), ``retry`` (nothing
# went out: failed for now, pending again after a backoff while attempts remain) or
# ``unknown`` (it may have gone out: only the provider's status or callback settles it).


def due(session: Session, now: dt.datetime, limit: int) -> list[int]:
    """Mobile-money payouts to send now: pending ones, after moving back to pending the
    retryable failures whose wait is over."""
    session.execute(
        update(Payout)
        .where(
            Payout.state == PayoutState.FAILED,
            Payout.method == PayoutMethod.MOBILE_MONEY,
            Payout.next_attempt_at.is_not(None),
            Payout.next_attempt_at <= now,
        )
        .values(state=PayoutState.PENDING, next_attempt_at=None, updated_at=now)
    )
    return list(
        session.scalars(
            select(Payout.id)
            .where(
                Payout.state == PayoutState.PENDING,
                Payout.method == PayoutMethod.MOBILE_MONEY,
            )
            .order_by(Payout.id)
            .limit(limit)
        )
    )


def claim(session: Session, payout_id: int, now: dt.datetime, lease: float) -> Payout | None:
    """Take a pending payout for one provider call (a conditional update: of two workers,
    one gets it). The caller commits before calling the provider."""
    taken = session.execute(
        update(Payout)
        .where(
            Payout.id == payout_id,
            Payout.state == PayoutState.PENDING,
            Payout.method == PayoutMethod.MOBILE_MONEY,
        )
        .values(
            state=PayoutState.SUBMITTED,
            attempts=Payout.attempts + 1,
            lease_until=now + dt.timedelta(seconds=lease),
            updated_at=now,
        )
    ).rowcount
    return session.get(Payout, payout_id, populate_existing=True) if taken == 1 else None


def settle(
    session: Session,
    payout: Payout,
    outcome: str,
    *,
    now: dt.datetime,
    provider_id: str | None = None,
    reason: str | None = None,
    max_attempts: int,
    backoff: tuple[float, ...],
    query_after: float,
) -> str:
    """Apply the provider's word to a submitted or unknown payout. Returns the new state
    (or ``"already settled"`` when another worker or a callback got there first)."""
    open_states = (PayoutState.SUBMITTED, PayoutState.UNKNOWN)
    if outcome == "paid":
        try:
            mark_paid(session, payout, provider_id=provider_id, from_states=open_states)
        except LedgerError:
            return "already settled"
        return PayoutState.PAID.value
    values: dict = {"updated_at": now, "lease_until": None, "failure_reason": reason}
    if outcome == "unknown":
        values |= {
            "state": PayoutState.UNKNOWN,
            "unknown_since": payout.unknown_since or now,
            "next_attempt_at": now + dt.timedelta(seconds=query_after),
        }
    elif outcome == "retry" and payout.attempts < max_attempts:
        wait = backoff[min(payout.attempts, len(backoff)) - 1] if backoff else 0.0
        values |= {
            "state": PayoutState.FAILED,
            "next_attempt_at": now + dt.timedelta(seconds=wait),
        }
    else:
        values |= {"state": PayoutState.FAILED, "next_attempt_at": None}
    changed = session.execute(
        update(Payout).where(Payout.id == payout.id, Payout.state.in_(open_states)).values(**values)
    ).rowcount
    return values["state"].value if changed else "already settled"


def stale_claims(session: Session, now: dt.datetime) -> int:
    """Submitted payouts whose worker died mid-call: they may have gone out (``unknown``),
    and their status is asked at once."""
    return session.execute(
        update(Payout)
        .where(Payout.state == PayoutState.SUBMITTED, Payout.lease_until < now)
        .values(
            state=PayoutState.UNKNOWN,
            unknown_since=now,
            next_attempt_at=now,
            lease_until=None,
            failure_reason="worker lost mid-call",
            updated_at=now,
        )
    ).rowcount


def unknown_due(session: Session, now: dt.datetime, limit: int) -> list[Payout]:
    """Unknown payouts whose status is to be asked of the provider now."""
    return list(
        session.scalars(
            select(Payout)
            .where(
                Payout.state == PayoutState.UNKNOWN,
                Payout.method == PayoutMethod.MOBILE_MONEY,
                (Payout.next_attempt_at.is_(None)) | (Payout.next_attempt_at <= now),
            )
            .order_by(Payout.id)
            .limit(limit)
        )
    )


def never_arrived(session: Session, payout: Payout, now: dt.datetime) -> bool:
    """The provider says it never got this unknown payout: pending again (same reference,
    so a provider that did get it refuses the repeat as a duplicate)."""
    return (
        session.execute(
            update(Payout)
            .where(Payout.id == payout.id, Payout.state == PayoutState.UNKNOWN)
            .values(state=PayoutState.PENDING, next_attempt_at=None, updated_at=now)
        ).rowcount
        == 1
    )


def by_reference(session: Session, reference: str) -> Payout | None:
    return session.scalar(select(Payout).where(Payout.reference == reference))
