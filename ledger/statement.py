"""A member's statement: their position in the group, from maintained balances and indexed
rows (never a journal scan), with their loans as of a day. What the savings screen, the API's
statement and the console's passbook read."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ledger import journal
from ledger.errors import LedgerError
from ledger.loans import position
from ledger.models import AccountKind, Entry, Group, Loan, Member
from ledger.vsla import current_cycle, savings_of, shares_of

K = AccountKind


def member_statement(session: Session, member: Member, as_of: dt.date, recent: int = 10) -> dict:
    """A member's position from maintained balances and indexed rows: no journal scan. Loans
    are positions as of ``as_of`` (``ledger.loans.position``: charges started by then
    included, nothing written), newest first."""
    group = session.get(Group, member.group_id) if member.group_id else None
    if group is None:
        raise LedgerError("no_group", "the member is not in a savings group", "member")
    cycle = current_cycle(session, group)
    loans = list(
        session.scalars(
            select(Loan).where(Loan.member_id == member.id).order_by(Loan.id.desc()).limit(10)
        )
    )
    entries = list(
        session.scalars(
            select(Entry)
            .where(Entry.member_id == member.id)
            .order_by(Entry.id.desc())
            .limit(recent)
            .options(selectinload(Entry.lines))
        )
    )
    reversed_ids = set(
        session.scalars(
            select(Entry.reverses_id).where(Entry.reverses_id.in_([e.id for e in entries]))
        )
    )
    return {
        "member": member,
        "group": group,
        "currency": group.currency,
        "shares": shares_of(session, cycle, member),
        "savings": savings_of(session, member),
        "social_fund": -journal.balance(
            session, K.SOCIAL_CONTRIBUTIONS, group.currency, group_id=group.id, member_id=member.id
        ),
        "loans": [position(loan, as_of) for loan in loans],
        "recent": [(e, sum(line.amount for line in e.lines if line.amount > 0)) for e in entries],
        #: Ids of the recent entries a later reversal undid: shown as reversed, never hidden.
        "reversed": reversed_ids,
    }
