"""A meeting of a savings group: attendance, then each member's shares, social fund,
fines and repayments (cash in), then grants and loans (cash out).

Every function checks all its rules before it writes, raises ``LedgerError`` on the first
broken one, and leaves committing to the caller, so a rejected request writes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger import journal
from ledger.days import check_day
from ledger.errors import LedgerError
from ledger.loans import accrue_charges, disburse, repay
from ledger.models import (
    Account,
    AccountKind,
    Attendance,
    Cycle,
    EntryKind,
    Group,
    Holding,
    Meeting,
    Member,
    MemberStatus,
)
from ledger.money import check_amount
from ledger.vsla import (
    accounts,
    active_member_count,
    check_in_group,
    current_cycle,
    int_in,
    lock_group,
)

K = AccountKind


# -- a meeting ------------------------------------------------------------------------------


@dataclass
class MeetingRecord:
    """What one member did at a meeting. Amounts are minor units; ``shares`` a count."""

    member: Member
    shares: int = 0
    social_fund: int = 0
    loan: int = 0
    loan_term_months: int | None = None
    repayment: int = 0
    fine: int = 0
    grant: int = 0


def open_meeting(session: Session, group: Group, held_on: dt.date) -> Meeting:
    """The group's meeting on ``held_on``, opened (everyone marked absent) on first use, so a
    meeting can be recorded in one go or member by member (the officer's phone menu)."""
    check_day(held_on, "date")
    lock_group(session, group)
    cycle = current_cycle(session, group)
    if held_on < cycle.start_on:
        raise LedgerError("before_cycle", "the meeting is before the start of the cycle", "date")
    if held_on > dt.date.today() + dt.timedelta(days=1):
        raise LedgerError("future", "the meeting date is in the future", "date")
    meeting = session.scalar(
        select(Meeting).where(Meeting.group_id == group.id, Meeting.held_on == held_on)
    )
    if meeting is not None:
        return meeting
    meeting = Meeting(group_id=group.id, cycle_id=cycle.id, held_on=held_on)
    session.add(meeting)
    session.flush()
    if cycle.members_at_start is None:
        cycle.members_at_start = active_member_count(session, group)
    for member_id in session.scalars(
        select(Member.id).where(Member.group_id == group.id, Member.status == MemberStatus.ACTIVE)
    ):
        session.add(Attendance(meeting_id=meeting.id, member_id=member_id, present=False, shares=0))
    session.flush()
    return meeting


def present_at(session: Session, group: Group, day: dt.date) -> dict[int, Attendance]:
    """Who has been recorded present at the group's meeting of ``day`` so far, by member id
    (empty before the meeting is opened)."""
    rows = session.scalars(
        select(Attendance)
        .join(Meeting, Meeting.id == Attendance.meeting_id)
        .where(Meeting.group_id == group.id, Meeting.held_on == day, Attendance.present)
    )
    return {a.member_id: a for a in rows}


def mark_present(session: Session, meeting: Meeting, member: Member) -> Attendance:
    attendance = session.get(Attendance, (meeting.id, member.id))
    if attendance is None:  # joined after the meeting was opened
        attendance = Attendance(meeting_id=meeting.id, member_id=member.id, shares=0)
        session.add(attendance)
    attendance.present = True
    return attendance


def record_meeting(
    session: Session,
    group: Group,
    held_on: dt.date,
    present: list[Member],
    records: list[MeetingRecord],
) -> Meeting:
    """Record (more of) a meeting, all or nothing: attendance, then for each member shares,
    social fund, fines and repayments (cash in), then grants and loans (cash out)."""
    lock_group(session, group)
    seen: set[int] = set()
    for rec in records:
        check_in_group(rec.member, group)
        if rec.member.id in seen:
            raise LedgerError("duplicate", f"{rec.member.name} appears twice", "records")
        seen.add(rec.member.id)
    for member in present:
        check_in_group(member, group)
    meeting = open_meeting(session, group, held_on)
    cycle = session.get(Cycle, meeting.cycle_id)
    for member in [*present, *(r.member for r in records)]:
        mark_present(session, meeting, member)

    accrue_charges(session, group, held_on)
    for rec in records:
        if rec.shares:
            buy_shares(session, group, cycle, meeting, rec.member, rec.shares)
        if rec.social_fund:
            contribute_social_fund(session, group, meeting, rec.member, rec.social_fund)
        if rec.fine:
            pay_fine(session, group, meeting, rec.member, rec.fine)
        if rec.repayment:
            repay(session, group, rec.member, rec.repayment, held_on, meeting)
    for rec in records:
        if rec.grant:
            pay_grant(session, group, meeting, rec.member, rec.grant)
        if rec.loan:
            disburse(session, group, rec.member, rec.loan, rec.loan_term_months, held_on, meeting)
    session.flush()
    return meeting


# -- what a member does at a meeting --------------------------------------------------------


def _post(
    session: Session,
    kind: EntryKind,
    group: Group,
    meeting: Meeting,
    member: Member,
    lines: list[tuple[Account, int]],
    memo: str | None = None,
) -> None:
    """A member's entry at a meeting, dated the meeting's day."""
    journal.post(
        session,
        kind,
        group.currency,
        lines,
        occurred_on=meeting.held_on,
        group_id=group.id,
        member_id=member.id,
        meeting_id=meeting.id,
        memo=memo,
    )


def buy_shares(
    session: Session, group: Group, cycle: Cycle, meeting: Meeting, member: Member, count: int
) -> None:
    count = int_in(count, 1, group.max_shares, "shares")
    lock_group(session, group)
    attendance = mark_present(session, meeting, member)
    if attendance.shares + count > group.max_shares:
        raise LedgerError(
            "too_many_shares",
            f"at most {group.max_shares} shares a meeting; {member.name} already bought "
            f"{attendance.shares}",
            "shares",
            bought=attendance.shares,
            max=group.max_shares,
        )
    attendance.shares = Attendance.shares + count  # in SQL, as every counter
    amount = count * group.share_value
    acct = accounts(session, group, member)
    _post(
        session,
        EntryKind.SHARES,
        group,
        meeting,
        member,
        [(accounts(session, group)(K.LOAN_FUND_CASH), amount), (acct(K.SAVINGS), -amount)],
        memo=f"{count} shares",
    )
    holding = session.get(Holding, (cycle.id, member.id))
    if holding is None:
        session.add(Holding(cycle_id=cycle.id, member_id=member.id, shares=count))
    else:
        holding.shares = Holding.shares + count


def contribute_social_fund(
    session: Session, group: Group, meeting: Meeting, member: Member, amount: int
) -> None:
    check_amount(amount, "social_fund")
    _post(
        session,
        EntryKind.SOCIAL_FUND,
        group,
        meeting,
        member,
        [
            (accounts(session, group)(K.SOCIAL_FUND_CASH), amount),
            (accounts(session, group, member)(K.SOCIAL_CONTRIBUTIONS), -amount),
        ],
    )


def pay_fine(session: Session, group: Group, meeting: Meeting, member: Member, amount: int) -> None:
    check_amount(amount, "fine")
    _post(
        session,
        EntryKind.FINE,
        group,
        meeting,
        member,
        [
            (accounts(session, group)(K.LOAN_FUND_CASH), amount),
            (accounts(session, group)(K.FINE_INCOME), -amount),
        ],
    )


def pay_grant(
    session: Session, group: Group, meeting: Meeting, member: Member, amount: int
) -> None:
    check_amount(amount, "grant")
    lock_group(session, group)
    cash = accounts(session, group)(K.SOCIAL_FUND_CASH)
    session.flush()
    session.refresh(cash)
    if amount > cash.balance:
        raise LedgerError(
            "fund_short", "the social fund does not hold that much", "grant", available=cash.balance
        )
    _post(
        session,
        EntryKind.SOCIAL_GRANT,
        group,
        meeting,
        member,
        [(accounts(session, group, member)(K.SOCIAL_GRANTS), amount), (cash, -amount)],
    )
