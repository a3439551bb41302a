"""The double-entry journal: balanced, immutable entries and maintained balances."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import event, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ledger.errors import LedgerError
from ledger.models import Account, AccountKind, Entry, EntryKind, Line


def account_key(
    kind: AccountKind,
    currency: str,
    group_id: int | None = None,
    member_id: int | None = None,
    cooperative_id: int | None = None,
) -> str:
    return f"{kind.value}:{currency}:{group_id or ''}:{member_id or ''}:{cooperative_id or ''}"


def account(
    session: Session,
    kind: AccountKind,
    currency: str,
    *,
    group_id: int | None = None,
    member_id: int | None = None,
    cooperative_id: int | None = None,
) -> Account:
    """The account of ``kind`` for that owner, created on first use.

    Two writers may create the same account at once (the first two purchases of a
    cooperative): the loser's insert fails on the unique key inside a savepoint, and it
    takes the winner's account instead.
    """
    key = account_key(kind, currency, group_id, member_id, cooperative_id)
    query = select(Account).where(Account.key == key)
    found = session.scalar(query)
    if found is not None:
        return found
    session.flush()  # keep pending work out of the savepoint
    created = Account(
        key=key,
        kind=kind,
        currency=currency,
        group_id=group_id,
        member_id=member_id,
        cooperative_id=cooperative_id,
        balance=0,
    )
    try:
        with session.begin_nested():
            session.add(created)
    except IntegrityError:
        return session.scalars(query).one()
    return created


def balance(session: Session, kind: AccountKind, currency: str, **owner: int | None) -> int:
    """An account's balance (0 when it does not exist yet), read from the maintained column;
    ``owner`` as for ``account`` (``group_id``, ``member_id``, ``cooperative_id``)."""
    key = account_key(kind, currency, **owner)
    return session.scalar(select(Account.balance).where(Account.key == key)) or 0


def post(
    session: Session,
    kind: EntryKind,
    currency: str,
    lines: Iterable[tuple[Account, int]],
    *,
    occurred_on: dt.date,
    group_id: int | None = None,
    cooperative_id: int | None = None,
    member_id: int | None = None,
    meeting_id: int | None = None,
    loan_id: int | None = None,
    memo: str | None = None,
    reverses_id: int | None = None,
) -> Entry:
    """Write one entry. Lines must be non-zero, in ``currency`` and sum to zero."""
    pairs = [(acct, amount) for acct, amount in lines if amount != 0]
    if not pairs:
        raise LedgerError("empty_entry", "an entry needs at least two non-zero lines")
    for acct, amount in pairs:
        if not isinstance(amount, int) or isinstance(amount, bool):
            raise LedgerError("bad_number", "journal amounts are whole minor units")
        if acct.currency != currency:
            raise LedgerError("currency_mismatch", f"{acct.key} is kept in {acct.currency}")
    if sum(amount for _, amount in pairs) != 0:
        raise LedgerError("unbalanced", "the lines of an entry must sum to zero")
    entry = Entry(
        kind=kind,
        currency=currency,
        occurred_on=occurred_on,
        group_id=group_id,
        cooperative_id=cooperative_id,
        member_id=member_id,
        meeting_id=meeting_id,
        loan_id=loan_id,
        memo=memo,
        reverses_id=reverses_id,
    )
    session.add(entry)
    for acct, amount in pairs:
        entry.lines.append(Line(account_id=acct.id, amount=amount))
        # An SQL increment, so concurrent writers never lose an update.
        acct.balance = Account.balance + amount
    session.flush()
    return entry


def reverse(session: Session, entry: Entry, on: dt.date, memo: str | None = None) -> Entry:
    """Correct a mistake: a new entry with every line of ``entry`` negated."""
    accounts = {
        a.id: a
        for a in session.scalars(
            select(Account).where(Account.id.in_([line.account_id for line in entry.lines]))
        )
    }
    return post(
        session,
        EntryKind.REVERSAL,
        entry.currency,
        [(accounts[line.account_id], -line.amount) for line in entry.lines],
        occurred_on=on,
        group_id=entry.group_id,
        cooperative_id=entry.cooperative_id,
        member_id=entry.member_id,
        meeting_id=entry.meeting_id,
        loan_id=entry.loan_id,
        memo=memo or f"reverses entry {entry.id}",
        reverses_id=entry.id,
    )


@event.listens_for(Session, "before_flush")
def _entries_are_immutable(session: Session, _context, _instances) -> None:
    for obj in (*session.dirty, *session.deleted):
        if isinstance(obj, Entry | Line) and (
            obj in session.deleted or session.is_modified(obj, include_collections=False)
        ):
            raise LedgerError("immutable", "journal entries are never changed: reverse them")
