"""The end of a meeting: the box counted aloud, then the meeting closed.

The officer types what the loan-fund bag and the social-fund bag hold; the books' figures
for the end of that meeting's day are stored beside them. A difference raises a flag for
the coordinator (one per meeting, updated by a recount, removed when a recount agrees).
Closing needs a count first; a closed meeting takes no more records, only corrections.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ledger import events, journal
from ledger.corrections import record_entries
from ledger.defaults import MAX_AMOUNT_MINOR
from ledger.errors import LedgerError
from ledger.models import (
    Account,
    AccountKind,
    Attendance,
    Entry,
    EntryKind,
    Flag,
    FlagKind,
    Group,
    Line,
    Meeting,
    Member,
    utcnow,
)
from ledger.vsla import check_open, int_in, lock_group

K = AccountKind


def books_at_end_of(session: Session, group: Group, kind: AccountKind, day: dt.date) -> int:
    """The account's balance at the end of ``day``: today's, less what is dated later."""
    now = journal.balance(session, kind, group.currency, group_id=group.id)
    later = session.scalar(
        select(func.coalesce(func.sum(Line.amount), 0))
        .join(Entry, Entry.id == Line.entry_id)
        .join(Account, Account.id == Line.account_id)
        .where(
            Account.key == journal.account_key(kind, group.currency, group.id, None, None),
            Entry.occurred_on > day,
        )
    )
    return now - int(later or 0)


@dataclass(frozen=True)
class CashCount:
    loan_fund_counted: int
    loan_fund_books: int
    social_fund_counted: int
    social_fund_books: int

    @property
    def loan_fund_difference(self) -> int:
        return self.loan_fund_counted - self.loan_fund_books

    @property
    def social_fund_difference(self) -> int:
        return self.social_fund_counted - self.social_fund_books

    @property
    def agrees(self) -> bool:
        return self.loan_fund_difference == 0 and self.social_fund_difference == 0


def cash_count_of(meeting: Meeting) -> CashCount | None:
    if meeting.counted_at is None:
        return None
    return CashCount(
        meeting.loan_fund_counted,
        meeting.loan_fund_books,
        meeting.social_fund_counted,
        meeting.social_fund_books,
    )


def count_cash(session: Session, meeting: Meeting, loan_fund: int, social_fund: int) -> CashCount:
    """Store what the box holds against the books; a difference raises (or updates) the
    meeting's flag, agreement removes it. A recount replaces the count."""
    group = session.get(Group, meeting.group_id)
    loan_fund = int_in(loan_fund, 0, MAX_AMOUNT_MINOR, "loan_fund")
    social_fund = int_in(social_fund, 0, MAX_AMOUNT_MINOR, "social_fund")
    lock_group(session, group)
    check_open(meeting)
    count = CashCount(
        loan_fund,
        books_at_end_of(session, group, K.LOAN_FUND_CASH, meeting.held_on),
        social_fund,
        books_at_end_of(session, group, K.SOCIAL_FUND_CASH, meeting.held_on),
    )
    meeting.loan_fund_counted, meeting.loan_fund_books = loan_fund, count.loan_fund_books
    meeting.social_fund_counted, meeting.social_fund_books = social_fund, count.social_fund_books
    meeting.counted_at = utcnow()
    _flag(session, group, meeting, count)
    session.flush()
    return count


def _flag(session: Session, group: Group, meeting: Meeting, count: CashCount) -> None:
    key = f"cash_count:{meeting.id}"
    flag = session.scalar(select(Flag).where(Flag.key == key))
    if count.agrees:
        if flag is not None:
            session.delete(flag)
        return
    details = {
        "meeting_id": meeting.id,
        "currency": group.currency,
        "loan_fund_counted": count.loan_fund_counted,
        "loan_fund_books": count.loan_fund_books,
        "loan_fund_difference": count.loan_fund_difference,
        "social_fund_counted": count.social_fund_counted,
        "social_fund_books": count.social_fund_books,
        "social_fund_difference": count.social_fund_difference,
    }
    reason = (
        f"{group.code} {meeting.held_on.isoformat()}: box counted against the books, loan fund"
        f" {count.loan_fund_difference:+d}, social fund {count.social_fund_difference:+d}"
        f" (minor units of {group.currency})"
    )
    if flag is None:
        flag = Flag(kind=FlagKind.CASH_COUNT_DIFFERENCE, key=key, group_id=group.id)
        session.add(flag)
    flag.day, flag.reason, flag.details = meeting.held_on, reason[:200], json.dumps(details)


def close_meeting(session: Session, meeting: Meeting) -> Meeting:
    """Close a counted meeting: it takes no more records, only corrections. The SMS layer
    hears of it (each member present gets what she paid and where she stands)."""
    group = session.get(Group, meeting.group_id)
    lock_group(session, group)
    check_open(meeting)
    if meeting.counted_at is None:
        raise LedgerError("count_first", "count the box before closing the meeting", "meeting")
    meeting.closed_at = utcnow()
    session.flush()
    events.emit(events.MEETING_CLOSED, session, meeting)
    return meeting


def group_flags(session: Session, group: Group, limit: int = 50) -> list[Flag]:
    """The group's own flags (cash-count differences), newest first."""
    return list(
        session.scalars(
            select(Flag).where(Flag.group_id == group.id).order_by(Flag.id.desc()).limit(limit)
        )
    )


#: Entries by which a member pays into the box at a meeting.
PAYMENTS = (EntryKind.SHARES, EntryKind.SOCIAL_FUND, EntryKind.FINE, EntryKind.REPAYMENT)


def paid_at(session: Session, meeting: Meeting, member: Member) -> int:
    """What the member paid into the box at the meeting (records standing, not reversed)."""
    return sum(
        line.amount
        for entry in record_entries(session, meeting, member)
        if entry.kind in PAYMENTS
        for line in entry.lines
        if line.amount > 0
    )


def present_members(session: Session, meeting: Meeting) -> list[Member]:
    """Who was present (in person or represented), by id."""
    return list(
        session.scalars(
            select(Member)
            .join(Attendance, Attendance.member_id == Member.id)
            .where(Attendance.meeting_id == meeting.id, Attendance.present)
            .order_by(Member.id)
        )
    )
