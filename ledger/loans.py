"""Loans from the group's loan fund: service charges, disbursement, repayment, write-off.

The service charge accrues at the start of each period (30 days, or 4 weeks: the group's
rule when the loan was given), the first at disbursement
(Ledger Link): flat on the principal or on the declining balance. Repayments pay the charge
first, then principal, oldest loan first.

Every function checks all its rules before it writes, raises ``LedgerError`` on the first
broken one, and leaves committing to the caller, so a rejected request writes nothing.
Every function that writes takes the group's lock first (``ledger.vsla.lock_group``).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger import journal
from ledger.days import check_day
from ledger.errors import LedgerError
from ledger.models import (
    AccountKind,
    ChargeMethod,
    EntryKind,
    Group,
    Loan,
    LoanStatus,
    Meeting,
    Member,
)
from ledger.money import check_amount, round_half_up
from ledger.vsla import (
    accounts,
    check_in_group,
    check_open,
    current_cycle,
    int_in,
    lock_group,
    savings_of,
)

K = AccountKind


# -- the member's loans ---------------------------------------------------------------------


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


def loan_limit(session: Session, group: Group, member: Member) -> int:
    """How much more the member may borrow: the cap on savings less what they owe."""
    owed = sum(loan.principal_outstanding for loan in open_loans(session, member))
    return max(0, group.loan_cap_multiple * savings_of(session, member) - owed)


@dataclass(frozen=True)
class LoanPosition:
    """A loan as its borrower reads it on a day: with every charge that day has started
    (booked or not yet), so the phone, the SMS, the API and the console show one figure."""

    id: int
    principal: int
    charged: int
    paid: int
    outstanding: int
    disbursed_on: dt.date
    due_on: dt.date
    status: LoanStatus

    @property
    def overdue(self) -> bool:
        return self.status == LoanStatus.OVERDUE


def position(loan: Loan, as_of: dt.date) -> LoanPosition:
    """``loan`` as of ``as_of``; nothing is written."""
    pending = sum(charge for _period, charge in pending_charges(loan, as_of))
    status = loan.status
    if status == LoanStatus.OPEN and as_of > loan.due_on:
        status = LoanStatus.OVERDUE
    return LoanPosition(
        id=loan.id,
        principal=loan.principal,
        charged=loan.charged + pending,
        paid=loan.paid,
        outstanding=loan.outstanding + pending,
        disbursed_on=loan.disbursed_on,
        due_on=loan.due_on,
        status=status,
    )


def loans_as_of(session: Session, member: Member, as_of: dt.date) -> list[LoanPosition]:
    """The member's open loans as of ``as_of``, oldest first."""
    return [position(loan, as_of) for loan in open_loans(session, member)]


def owed_by_day(session: Session, group: Group, day: dt.date) -> dict[int, int]:
    """Member id -> what their loans falling due by ``day`` will owe that day."""
    owed: dict[int, int] = {}
    loans = session.scalars(
        select(Loan).where(
            Loan.group_id == group.id,
            Loan.status.in_([LoanStatus.OPEN, LoanStatus.OVERDUE]),
            Loan.due_on <= day,
        )
    )
    for loan in loans:
        owed[loan.member_id] = owed.get(loan.member_id, 0) + position(loan, day).outstanding
    return owed


# -- service charges ------------------------------------------------------------------------


def _periods_due(loan: Loan, as_of: dt.date) -> int:
    if as_of < loan.disbursed_on:
        return 0
    return (as_of - loan.disbursed_on).days // loan.period_days + 1


def pending_charges(loan: Loan, as_of: dt.date) -> list[tuple[int, int]]:
    """``(period, charge)`` for each charge period of an open loan that has started by
    ``as_of`` and is not booked yet: what ``accrue_charges`` would book, worked out without
    writing (a screen or a statement reads it; the next meeting books it)."""
    if not loan.is_open:
        return []
    base = loan.principal if loan.method == ChargeMethod.FLAT else loan.principal_outstanding
    charge = round_half_up(Decimal(base) * loan.rate_bp / 10_000)
    return [(period, charge) for period in range(loan.periods_charged, _periods_due(loan, as_of))]


def accrue_charges(session: Session, group: Group, as_of: dt.date) -> int:
    """Book every service charge whose period has started by ``as_of`` (Ledger Link:
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
        for period, charge in pending_charges(loan, as_of):
            loan.periods_charged = period + 1
            if charge > 0:
                loan.charged += charge
                total += charge
                journal.post(
                    session,
                    EntryKind.SERVICE_CHARGE,
                    group.currency,
                    [(receivable, charge), (income, -charge)],
                    occurred_on=loan.disbursed_on + dt.timedelta(days=period * loan.period_days),
                    group_id=group.id,
                    member_id=loan.member_id,
                    loan_id=loan.id,
                )
        if as_of > loan.due_on and loan.status == LoanStatus.OPEN:
            loan.status = LoanStatus.OVERDUE
    session.flush()
    return total


# -- disbursing, repaying, writing off ------------------------------------------------------


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
    check_open(meeting)
    check_amount(principal, "loan")
    term = group.max_loan_term_months if term_months is None else term_months
    term = int_in(term, 1, group.max_loan_term_months, "loan_term_months")
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
        period_days=group.charge_period.days,
        due_on=on + dt.timedelta(days=group.charge_period.days * term),
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
    check_open(meeting)
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
            memo=repayment_memo(to_charge, to_principal),
        )
        if loan.outstanding == 0:
            loan.status, loan.closed_on = LoanStatus.REPAID, on
    session.flush()
    return loans


def repayment_memo(charge: int, principal: int) -> str:
    return f"charge {charge}, principal {principal}"


def repayment_split(memo: str | None) -> tuple[int, int]:
    """(charge, principal) of a repayment entry, as ``repayment_memo`` wrote them."""
    match = re.fullmatch(r"charge (\d+), principal (\d+)", memo or "")
    if match is None:  # pragma: no cover - every repayment is written by ``repay``
        raise LedgerError("unreadable", "this repayment cannot be split into charge and principal")
    return int(match[1]), int(match[2])


def write_off(session: Session, loan: Loan, on: dt.date, reason: str | None = None) -> None:
    """Give up on what a loan still owes (a group decision): the group bears it as a loss,
    shared by everyone's shares at the share-out, which the borrower no longer blocks."""
    check_day(on, "date")
    group = session.get(Group, loan.group_id)
    lock_group(session, group)
    if not loan.is_open:
        raise LedgerError("closed", "the loan is already closed", "loan")
    if on < loan.disbursed_on:
        raise LedgerError("before_loan", "the date is before the loan was given", "date")
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
        memo=(reason or "")[:200] or None,
    )
    loan.written_off = loan.principal_outstanding
    loan.charged = loan.charge_paid
    loan.status, loan.closed_on = LoanStatus.WRITTEN_OFF, on
    session.flush()
