"""Savings-group rules: meetings, shares, social fund, loans with service charge, share-out.

Every function checks all its rules before it writes, raises ``LedgerError`` on the first
broken one, and leaves committing to the caller, so a rejected request writes nothing.
Every function that writes takes the group's lock first (``lock_group``): a group's books
have one writer at a time, so no check (the cap, the cash, a period's charge) passes twice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from ledger import journal
from ledger.days import check_day
from ledger.defaults import CHARGE_PERIOD_DAYS, MAX_CODE_LENGTH
from ledger.errors import LedgerError
from ledger.members import clean_name
from ledger.models import (
    AccountKind,
    Attendance,
    ChargeMethod,
    Cooperative,
    Cycle,
    Entry,
    EntryKind,
    Group,
    Holding,
    Loan,
    LoanStatus,
    Meeting,
    Member,
    MemberStatus,
)
from ledger.money import check_amount, check_currency, round_half_up

K = AccountKind


# -- groups and cycles ----------------------------------------------------------------------


def clean_code(raw: object, field: str = "code") -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise LedgerError("required", f"{field} is required", field)
    code = raw.strip().upper()
    if len(code) > MAX_CODE_LENGTH or not all(c.isalnum() or c in "-_" for c in code):
        raise LedgerError(
            "bad_code", f"{field} is letters, digits, - and _ (at most {MAX_CODE_LENGTH})", field
        )
    return code


def _int_in(value: object, low: int, high: int, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise LedgerError(
            "out_of_range", f"{field} must be a whole number from {low} to {high}", field
        )
    return value


def create_group(
    session: Session,
    *,
    code: object,
    name: object,
    currency: object,
    share_value: int,
    social_fund_contribution: int,
    service_charge_bp: int,
    meeting_weekday: int,
    meeting_time: dt.time,
    cycle_start: dt.date,
    service_charge_method: ChargeMethod = ChargeMethod.FLAT,
    loan_cap_multiple: int = 3,
    max_shares: int = 5,
    max_loan_term_months: int = 3,
    cooperative: Cooperative | None = None,
) -> Group:
    """A new group and its first cycle. Amounts are minor units of ``currency``."""
    code = clean_code(code)
    check_day(cycle_start, "cycle_start")
    if session.scalar(select(Group.id).where(Group.code == code)):
        raise LedgerError("exists", f"group {code} already exists", "code")
    group = Group(
        code=code,
        name=clean_name(name),
        currency=check_currency(currency),
        share_value=check_amount(share_value, "share_value"),
        social_fund_contribution=(
            0
            if social_fund_contribution == 0
            else check_amount(social_fund_contribution, "social_fund_contribution")
        ),
        service_charge_bp=_int_in(service_charge_bp, 0, 10_000, "service_charge_rate"),
        service_charge_method=ChargeMethod(service_charge_method),
        loan_cap_multiple=_int_in(loan_cap_multiple, 1, 10, "loan_cap_multiple"),
        max_shares=_int_in(max_shares, 1, 10, "max_shares"),
        max_loan_term_months=_int_in(max_loan_term_months, 1, 12, "max_loan_term_months"),
        meeting_weekday=_int_in(meeting_weekday, 0, 6, "meeting_weekday"),
        meeting_time=meeting_time,
        cooperative_id=cooperative.id if cooperative else None,
    )
    session.add(group)
    session.flush()
    session.add(
        Cycle(group_id=group.id, number=1, start_on=cycle_start, end_on=year_after(cycle_start))
    )
    session.flush()
    return group


def year_after(day: dt.date) -> dt.date:
    return day + dt.timedelta(days=364)


def current_cycle(session: Session, group: Group) -> Cycle:
    cycle = session.scalar(
        select(Cycle)
        .where(Cycle.group_id == group.id, Cycle.closed_at.is_(None))
        .order_by(Cycle.number.desc())
    )
    if cycle is None:  # pragma: no cover - every group is created with a cycle
        raise LedgerError("no_cycle", f"group {group.code} has no open cycle")
    return cycle


def next_meeting(group: Group, now_local: dt.datetime) -> dt.datetime:
    """The next meeting, as a naive local datetime, at or after ``now_local``."""
    days = (group.meeting_weekday - now_local.weekday()) % 7
    candidate = dt.datetime.combine(now_local.date() + dt.timedelta(days=days), group.meeting_time)
    if candidate < now_local.replace(tzinfo=None):
        candidate += dt.timedelta(days=7)
    return candidate


# -- one writer per group at a time ------------------------------------------------------------

#: ``session.info`` key: the transaction that holds group locks, and which groups.
_LOCKS = "sanduku.group_locks"


def lock_group(session: Session, group: Group) -> None:
    """Make this transaction the group's only writer until it ends, and forget what the
    session read before: every rule after this sees the books as the last writer left them.

    PostgreSQL: ``SELECT ... FOR NO KEY UPDATE`` on the group's row, so two meetings,
    loans, grants, expenses or share-outs of one group run one after the other (plain reads
    never wait, nor do rows that merely refer to the group, such as a new member). SQLite:
    ``BEGIN IMMEDIATE`` already makes every transaction the only writer.
    Either way, objects the session loaded before the lock may be stale (an earlier
    transaction of a long-lived session, or a read before another writer committed): they
    are expired once per transaction (and per savepoint) and reload fresh when next read.
    """
    session.flush()
    session.execute(select(Group.id).where(Group.id == group.id).with_for_update(key_share=True))
    transaction = session.get_nested_transaction() or session.get_transaction()
    held = session.info.get(_LOCKS)
    if held is None or held[0] is not transaction:
        held = (transaction, set())
        session.info[_LOCKS] = held
    if group.id not in held[1]:
        held[1].add(group.id)
        session.expire_all()


# -- the member's position ------------------------------------------------------------------


def shares_of(session: Session, cycle: Cycle, member: Member) -> int:
    return (
        session.scalar(
            select(Holding.shares).where(
                Holding.cycle_id == cycle.id, Holding.member_id == member.id
            )
        )
        or 0
    )


def savings_of(session: Session, member: Member) -> int:
    """Value of the member's shares this cycle (their savings account's credit balance)."""
    return -journal.balance(
        session, K.SAVINGS, member.group.currency, group_id=member.group_id, member_id=member.id
    )


def open_loans(session: Session, member: Member) -> list[Loan]:
    return list(
        session.scalars(
            select(Loan)
            .where(
                Loan.member_id == member.id,
                Loan.status.in_([LoanStatus.OPEN, LoanStatus.OVERDUE]),
            )
            .order_by(Loan.id)
        )
    )


def accounts(session: Session, group: Group, member: Member | None = None):
    def acct(kind: AccountKind):
        return journal.account(
            session,
            kind,
            group.currency,
            group_id=group.id,
            member_id=member.id if member is not None else None,
        )

    return acct


# -- service charges ------------------------------------------------------------------------


def _periods_due(loan: Loan, as_of: dt.date) -> int:
    if as_of < loan.disbursed_on:
        return 0
    return (as_of - loan.disbursed_on).days // CHARGE_PERIOD_DAYS + 1


def accrue_charges(session: Session, group: Group, as_of: dt.date) -> int:
    """Book every service charge whose 30-day period has started by ``as_of`` (Ledger Link:
    the first at disbursement; flat on principal or on the declining balance), and mark loans
    past their due date overdue. Returns the total charged."""
    lock_group(session, group)
    total = 0
    income = journal.account(session, K.SERVICE_CHARGE_INCOME, group.currency, group_id=group.id)
    loans = session.scalars(
        select(Loan)
        .where(Loan.group_id == group.id, Loan.status.in_([LoanStatus.OPEN, LoanStatus.OVERDUE]))
        .order_by(Loan.id)
    )
    for loan in loans:
        receivable = journal.account(
            session, K.LOAN_RECEIVABLE, group.currency, group_id=group.id, member_id=loan.member_id
        )
        for period in range(loan.periods_charged, _periods_due(loan, as_of)):
            base = (
                loan.principal if loan.method == ChargeMethod.FLAT else (loan.principal_outstanding)
            )
            charge = round_half_up(Decimal(base) * loan.rate_bp / 10_000)
            loan.periods_charged = period + 1
            if charge > 0:
                loan.charged += charge
                total += charge
                journal.post(
                    session,
                    EntryKind.SERVICE_CHARGE,
                    group.currency,
                    [(receivable, charge), (income, -charge)],
                    occurred_on=loan.disbursed_on + dt.timedelta(days=period * CHARGE_PERIOD_DAYS),
                    group_id=group.id,
                    member_id=loan.member_id,
                    loan_id=loan.id,
                )
        if as_of > loan.due_on and loan.status == LoanStatus.OPEN:
            loan.status = LoanStatus.OVERDUE
    session.flush()
    return total


# -- a meeting --------------------------------------------------------------------------------


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


def check_in_group(member: Member, group: Group) -> None:
    if member.group_id != group.id:
        raise LedgerError("other_group", f"the member is not in {group.code}", "member")
    if member.status != MemberStatus.ACTIVE:
        raise LedgerError("inactive", "the member is not active", "member")


def active_member_count(session: Session, group: Group) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(Member)
            .where(Member.group_id == group.id, Member.status == MemberStatus.ACTIVE)
        )
        or 0
    )


def buy_shares(
    session: Session, group: Group, cycle: Cycle, meeting: Meeting, member: Member, count: int
) -> None:
    count = _int_in(count, 1, group.max_shares, "shares")
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
    journal.post(
        session,
        EntryKind.SHARES,
        group.currency,
        [(accounts(session, group)(K.LOAN_FUND_CASH), amount), (acct(K.SAVINGS), -amount)],
        occurred_on=meeting.held_on,
        group_id=group.id,
        member_id=member.id,
        meeting_id=meeting.id,
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
    journal.post(
        session,
        EntryKind.SOCIAL_FUND,
        group.currency,
        [
            (accounts(session, group)(K.SOCIAL_FUND_CASH), amount),
            (accounts(session, group, member)(K.SOCIAL_CONTRIBUTIONS), -amount),
        ],
        occurred_on=meeting.held_on,
        group_id=group.id,
        member_id=member.id,
        meeting_id=meeting.id,
    )


def pay_fine(session: Session, group: Group, meeting: Meeting, member: Member, amount: int) -> None:
    check_amount(amount, "fine")
    journal.post(
        session,
        EntryKind.FINE,
        group.currency,
        [
            (accounts(session, group)(K.LOAN_FUND_CASH), amount),
            (accounts(session, group)(K.FINE_INCOME), -amount),
        ],
        occurred_on=meeting.held_on,
        group_id=group.id,
        member_id=member.id,
        meeting_id=meeting.id,
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
    journal.post(
        session,
        EntryKind.SOCIAL_GRANT,
        group.currency,
        [(accounts(session, group, member)(K.SOCIAL_GRANTS), amount), (cash, -amount)],
        occurred_on=meeting.held_on,
        group_id=group.id,
        member_id=member.id,
        meeting_id=meeting.id,
    )


def loan_limit(session: Session, group: Group, member: Member) -> int:
    """How much more the member may borrow: the cap on savings less what they owe."""
    owed = sum(loan.principal_outstanding for loan in open_loans(session, member))
    return max(0, group.loan_cap_multiple * savings_of(session, member) - owed)


def disburse(
    session: Session,
    group: Group,
    member: Member,
    principal: int,
    term_months: int | None,
    on: dt.date,
    meeting: Meeting | None = None,
) -> Loan:
    check_day(on, "date")
    lock_group(session, group)
    check_in_group(member, group)
    check_amount(principal, "loan")
    term = group.max_loan_term_months if term_months is None else term_months
    term = _int_in(term, 1, group.max_loan_term_months, "loan_term_months")
    session.flush()
    limit = loan_limit(session, group, member)
    if principal > limit:
        raise LedgerError(
            "over_cap",
            f"{member.name} may borrow at most {limit} "
            f"(loans up to {group.loan_cap_multiple}x savings)",
            "loan",
            limit=limit,
        )
    cash = accounts(session, group)(K.LOAN_FUND_CASH)
    session.refresh(cash)
    if principal > cash.balance:
        raise LedgerError(
            "fund_short", "the loan fund does not hold that much", "loan", available=cash.balance
        )
    loan = Loan(
        group_id=group.id,
        cycle_id=current_cycle(session, group).id,
        member_id=member.id,
        meeting_id=meeting.id if meeting else None,
        principal=principal,
        term_months=term,
        rate_bp=group.service_charge_bp,
        method=group.service_charge_method,
        disbursed_on=on,
        due_on=on + dt.timedelta(days=CHARGE_PERIOD_DAYS * term),
        periods_charged=0,
        charged=0,
        principal_paid=0,
        charge_paid=0,
        written_off=0,
        status=LoanStatus.OPEN,
    )
    session.add(loan)
    session.flush()
    journal.post(
        session,
        EntryKind.LOAN,
        group.currency,
        [(accounts(session, group, member)(K.LOAN_RECEIVABLE), principal), (cash, -principal)],
        occurred_on=on,
        group_id=group.id,
        member_id=member.id,
        loan_id=loan.id,
        meeting_id=meeting.id if meeting else None,
    )
    accrue_charges(session, group, on)
    return loan


def repay(
    session: Session,
    group: Group,
    member: Member,
    amount: int,
    on: dt.date,
    meeting: Meeting | None = None,
) -> list[Loan]:
    """Apply a repayment to the member's loans, oldest first, charge before principal."""
    check_day(on, "date")
    lock_group(session, group)
    check_in_group(member, group)
    check_amount(amount, "repayment")
    accrue_charges(session, group, on)
    loans = open_loans(session, member)
    owed = sum(loan.outstanding for loan in loans)
    if amount > owed:
        raise LedgerError("overpaid", f"{member.name} owes only {owed}", "repayment", owed=owed)
    left = amount
    cash = accounts(session, group)(K.LOAN_FUND_CASH)
    receivable = accounts(session, group, member)(K.LOAN_RECEIVABLE)
    for loan in loans:
        if left == 0:
            break
        to_charge = min(left, loan.charge_outstanding)
        to_principal = min(left - to_charge, loan.principal_outstanding)
        paid = to_charge + to_principal
        if paid == 0:
            continue
        loan.charge_paid += to_charge
        loan.principal_paid += to_principal
        left -= paid
        journal.post(
            session,
            EntryKind.REPAYMENT,
            group.currency,
            [(cash, paid), (receivable, -paid)],
            occurred_on=on,
            group_id=group.id,
            member_id=member.id,
            loan_id=loan.id,
            meeting_id=meeting.id if meeting else None,
            memo=f"charge {to_charge}, principal {to_principal}",
        )
        if loan.outstanding == 0:
            loan.status, loan.closed_on = LoanStatus.REPAID, on
    session.flush()
    return loans


def write_off(session: Session, loan: Loan, on: dt.date) -> None:
    """Give up on what a loan still owes: the group bears it as a loss."""
    check_day(on, "date")
    group = session.get(Group, loan.group_id)
    lock_group(session, group)
    if not loan.is_open:
        raise LedgerError("closed", "the loan is already closed", "loan")
    amount = loan.outstanding
    journal.post(
        session,
        EntryKind.WRITE_OFF,
        group.currency,
        [
            (accounts(session, group)(K.WRITE_OFFS), amount),
            (accounts(session, group, loan.member)(K.LOAN_RECEIVABLE), -amount),
        ],
        occurred_on=on,
        group_id=group.id,
        member_id=loan.member_id,
        loan_id=loan.id,
    )
    loan.written_off = loan.principal_outstanding
    loan.charged = loan.charge_paid
    loan.status, loan.closed_on = LoanStatus.WRITTEN_OFF, on
    session.flush()


def record_expense(session: Session, group: Group, amount: int, on: dt.date, memo: str) -> None:
    """Money the group spends from the loan fund (stationery, a padlock)."""
    check_day(on, "date")
    check_amount(amount, "expense")
    lock_group(session, group)
    cash = accounts(session, group)(K.LOAN_FUND_CASH)
    session.flush()
    session.refresh(cash)
    if amount > cash.balance:
        raise LedgerError("fund_short", "the loan fund does not hold that much", "expense")
    journal.post(
        session,
        EntryKind.EXPENSE,
        group.currency,
        [(accounts(session, group)(K.EXPENSES), amount), (cash, -amount)],
        occurred_on=on,
        group_id=group.id,
        memo=memo[:200],
    )


# -- reading ----------------------------------------------------------------------------------


def member_statement(session: Session, member: Member, recent: int = 10) -> dict:
    """A member's position from maintained balances and indexed rows: no journal scan."""
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
    return {
        "member": member,
        "group": group,
        "currency": group.currency,
        "shares": shares_of(session, cycle, member),
        "savings": savings_of(session, member),
        "social_fund": -journal.balance(
            session, K.SOCIAL_CONTRIBUTIONS, group.currency, group_id=group.id, member_id=member.id
        ),
        "loans": loans,
        "recent": [(e, sum(line.amount for line in e.lines if line.amount > 0)) for e in entries],
    }
