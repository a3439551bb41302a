"""Savings-group indicators (SAVIX / DreamSave style), people indicators split by gender.

Totals are gathered additively (``People`` per gender, fund sums per group) so one group's
figures and a whole deployment's pooled figures come from the same definitions. Balances are
the books' maintained balances now; ``as_of`` dates the ageing of loans (PAR) and the weeks
elapsed in the cycle (return on assets).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field, fields
from decimal import Decimal
from fractions import Fraction

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ledger import journal
from ledger.defaults import PAR_DAYS
from ledger.evidence.defaults import ATTENDANCE_MEETINGS
from ledger.evidence.measure import GENDERS, money, per, ratio
from ledger.models import (
    Account,
    AccountKind,
    Attendance,
    Cycle,
    Entry,
    EntryKind,
    Group,
    Holding,
    Line,
    Loan,
    LoanStatus,
    Meeting,
    Member,
    MemberStatus,
    Role,
)
from ledger.vsla import current_cycle

K = AccountKind
ASSETS = (K.LOAN_FUND_CASH, K.SOCIAL_FUND_CASH, K.LOAN_RECEIVABLE)


@dataclass
class People:
    """Additive counts and sums (minor units) for one gender slice of a group or more."""

    members: int = 0  # active members now
    officers: int = 0  # active members with the officer (committee) role
    at_start: int = 0  # members on the roll of the cycle's first meeting
    left: int = 0  # of those, members who have left since
    present: int = 0  # attendances in the last meetings
    expected: int = 0  # members on the roll of those meetings
    savings: int = 0  # value of the shares active members hold this cycle
    borrowers: int = 0  # active members with a loan outstanding now
    outstanding: int = 0  # principal and charges still owed on open loans (anyone's)
    overdue: int = 0  # of which on loans more than PAR_DAYS past their due date
    loans: int = 0  # loans disbursed this cycle (anyone's)
    disbursed: int = 0  # their principal
    borrowers_cycle: int = 0  # active members who borrowed this cycle
    written_off: int = 0  # written off this cycle

    def add(self, other: People) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))


def _slices() -> dict[str, People]:
    return {g: People() for g in GENDERS}


@dataclass
class GroupTotals:
    group: Group
    cycle: Cycle
    as_of: dt.date
    people: dict[str, People] = field(default_factory=_slices)
    meetings: int = 0  # meetings counted for attendance
    loan_fund_cash: int = 0
    social_fund: int = 0
    charges: int = 0  # service charges booked this cycle
    fines: int = 0
    expenses: int = 0
    assets_start: int = 0  # loan fund + social fund + loans, before the cycle's first day
    shares: int = 0  # shares bought this cycle
    savings_total: int = 0  # every savings account, leavers' not yet paid out included

    @property
    def assets(self) -> int:
        return self.loan_fund_cash + self.social_fund + self.people["all"].outstanding

    @property
    def net_income(self) -> int:
        return self.charges + self.fines - self.people["all"].written_off - self.expenses

    @property
    def days(self) -> int:
        return (self.as_of - self.cycle.start_on).days


def _count(slices: dict[str, People], gender: str, name: str, amount: int = 1) -> None:
    for key in ("all", gender):
        setattr(slices[key], name, getattr(slices[key], name) + amount)


def group_totals(session: Session, group: Group, as_of: dt.date) -> GroupTotals:
    cycle = current_cycle(session, group)
    t = GroupTotals(group, cycle, as_of)
    p = t.people
    members = {m.id: m for m in session.scalars(select(Member).where(Member.group_id == group.id))}

    def member(mid: int) -> Member:
        if mid not in members:
            members[mid] = session.get(Member, mid)
        return members[mid]

    def gone(m: Member) -> bool:
        return (
            m.status == MemberStatus.INACTIVE
            or (m.left_on is not None and m.left_on <= as_of)
            or m.group_id != group.id
        )

    for m in list(members.values()):
        if m.status == MemberStatus.ACTIVE:
            _count(p, m.gender.value, "members")
            if m.has_role(Role.OFFICER):
                _count(p, m.gender.value, "officers")

    recent = list(
        session.scalars(
            select(Meeting.id)
            .where(Meeting.group_id == group.id, Meeting.held_on <= as_of)
            .order_by(Meeting.held_on.desc())
            .limit(ATTENDANCE_MEETINGS)
        )
    )
    t.meetings = len(recent)
    for mid, present in session.execute(
        select(Attendance.member_id, Attendance.present).where(Attendance.meeting_id.in_(recent))
    ):
        gender = member(mid).gender.value
        _count(p, gender, "expected")
        if present:
            _count(p, gender, "present")

    first = session.scalar(
        select(Meeting.id).where(Meeting.cycle_id == cycle.id).order_by(Meeting.held_on).limit(1)
    )
    if first is not None:
        for mid in session.scalars(
            select(Attendance.member_id).where(Attendance.meeting_id == first)
        ):
            m = member(mid)
            _count(p, m.gender.value, "at_start")
            if gone(m):
                _count(p, m.gender.value, "left")

    for mid, balance in session.execute(
        select(Account.member_id, Account.balance).where(
            Account.kind == K.SAVINGS,
            Account.group_id == group.id,
            Account.currency == group.currency,
            Account.member_id.is_not(None),
        )
    ):
        t.savings_total -= balance
        if not gone(member(mid)):
            _count(p, member(mid).gender.value, "savings", -balance)

    borrowers: dict[str, set[int]] = defaultdict(set)
    borrowers_cycle: dict[str, set[int]] = defaultdict(set)
    for loan in session.scalars(
        select(Loan).where(
            Loan.group_id == group.id,
            (Loan.cycle_id == cycle.id) | Loan.status.in_([LoanStatus.OPEN, LoanStatus.OVERDUE]),
        )
    ):
        gender = member(loan.member_id).gender.value
        active = not gone(member(loan.member_id))
        if loan.is_open:
            _count(p, gender, "outstanding", loan.outstanding)
            if (as_of - loan.due_on).days > PAR_DAYS:
                _count(p, gender, "overdue", loan.outstanding)
            if active:
                borrowers[gender].add(loan.member_id)
        if loan.cycle_id == cycle.id:
            _count(p, gender, "loans")
            _count(p, gender, "disbursed", loan.principal)
            if active:
                borrowers_cycle[gender].add(loan.member_id)
    for gender in ("F", "M"):
        _count(p, gender, "borrowers", len(borrowers[gender]))
        _count(p, gender, "borrowers_cycle", len(borrowers_cycle[gender]))

    for mid, amount in session.execute(
        select(Entry.member_id, Line.amount)
        .join(Line, Line.entry_id == Entry.id)
        .join(Account, Account.id == Line.account_id)
        .where(
            Entry.kind == EntryKind.WRITE_OFF,
            Entry.group_id == group.id,
            Entry.occurred_on >= cycle.start_on,
            Account.kind == K.WRITE_OFFS,
        )
    ):
        _count(p, member(mid).gender.value, "written_off", amount)

    def bal(kind: AccountKind) -> int:
        return journal.balance(session, kind, group.currency, group_id=group.id)

    t.loan_fund_cash = bal(K.LOAN_FUND_CASH)
    t.social_fund = bal(K.SOCIAL_FUND_CASH)
    t.charges = -bal(K.SERVICE_CHARGE_INCOME)
    t.fines = -bal(K.FINE_INCOME)
    t.expenses = bal(K.EXPENSES)
    t.assets_start = (
        session.scalar(
            select(func.coalesce(func.sum(Line.amount), 0))
            .join(Entry, Entry.id == Line.entry_id)
            .join(Account, Account.id == Line.account_id)
            .where(
                Account.group_id == group.id,
                Account.kind.in_(ASSETS),
                Entry.occurred_on < cycle.start_on,
            )
        )
        or 0
    )
    t.shares = (
        session.scalar(
            select(func.coalesce(func.sum(Holding.shares), 0)).where(Holding.cycle_id == cycle.id)
        )
        or 0
    )
    return t


# -- indicators ---------------------------------------------------------------------------------

#: Indicator -> unit (``money`` is the group's currency). Order is the report's order.
UNITS = {
    "members": "count",
    "women_rate": "ratio",
    "officers": "count",
    "women_officers_rate": "ratio",
    "attendance_rate": "ratio",
    "meetings_counted": "count",
    "savings": "money",
    "savings_total": "money",
    "savings_per_member": "money",
    "borrowers": "count",
    "members_with_loan_rate": "ratio",
    "loans_outstanding": "money",
    "par30_rate": "ratio",
    "loans_disbursed": "count",
    "loans_disbursed_value": "money",
    "average_loan": "money",
    "loan_uptake_rate": "ratio",
    "write_offs": "money",
    "members_at_start": "count",
    "members_left": "count",
    "dropout_rate": "ratio",
    "loan_fund_cash": "money",
    "social_fund_balance": "money",
    "assets": "money",
    "assets_at_start": "money",
    "loan_fund_utilisation": "ratio",
    "service_charges": "money",
    "fines": "money",
    "expenses": "money",
    "net_income": "money",
    "weeks_elapsed": "weeks",
    "roa_annualised": "ratio",
    "roa_annualised_mean": "ratio",
    "shares": "count",
    "share_value": "money",
    "value_per_share": "money",
    "return_per_share": "ratio",
}


def _by_gender(slices: dict[str, People], fn) -> dict[str, object]:
    return {g: fn(slices[g]) for g in GENDERS}


def people_indicators(slices: dict[str, People], currency: str) -> dict[str, object]:
    """Every people indicator for everyone, women and men."""

    def m(minor: int | None) -> Decimal | None:
        return money(minor, currency)

    every = slices["all"]
    return {
        "members": _by_gender(slices, lambda s: s.members),
        "women_rate": ratio(slices["F"].members, every.members),
        "officers": _by_gender(slices, lambda s: s.officers),
        "women_officers_rate": ratio(slices["F"].officers, every.officers),
        "attendance_rate": _by_gender(slices, lambda s: ratio(s.present, s.expected)),
        "savings": _by_gender(slices, lambda s: m(s.savings)),
        "savings_per_member": _by_gender(slices, lambda s: m(per(s.savings, s.members))),
        "borrowers": _by_gender(slices, lambda s: s.borrowers),
        "members_with_loan_rate": _by_gender(slices, lambda s: ratio(s.borrowers, s.members)),
        "loans_outstanding": _by_gender(slices, lambda s: m(s.outstanding)),
        "par30_rate": _by_gender(slices, lambda s: ratio(s.overdue, s.outstanding)),
        "loans_disbursed": _by_gender(slices, lambda s: s.loans),
        "loans_disbursed_value": _by_gender(slices, lambda s: m(s.disbursed)),
        "average_loan": _by_gender(slices, lambda s: m(per(s.disbursed, s.loans))),
        "loan_uptake_rate": _by_gender(slices, lambda s: ratio(s.borrowers_cycle, s.members)),
        "write_offs": _by_gender(slices, lambda s: m(s.written_off)),
        "members_at_start": _by_gender(slices, lambda s: s.at_start),
        "members_left": _by_gender(slices, lambda s: s.left),
        "dropout_rate": _by_gender(slices, lambda s: ratio(s.left, s.at_start)),
    }


def roa_annualised(t: GroupTotals) -> Decimal | None:
    """Net income / average of assets at the cycle's start and now, x 52 / weeks elapsed."""
    average_assets = Fraction(t.assets_start + t.assets, 2)
    if t.days <= 0 or average_assets <= 0:
        return None
    return ratio(Fraction(t.net_income) * 52 * 7, average_assets * t.days)


def fund_indicators(t: GroupTotals) -> dict[str, object]:
    currency = t.group.currency
    outstanding = t.people["all"].outstanding
    fund = t.loan_fund_cash + outstanding
    value = per(fund, t.shares)
    return {
        "meetings_counted": t.meetings,
        "savings_total": money(t.savings_total, currency),
        "loan_fund_cash": money(t.loan_fund_cash, currency),
        "social_fund_balance": money(t.social_fund, currency),
        "assets": money(t.assets, currency),
        "assets_at_start": money(t.assets_start, currency),
        "loan_fund_utilisation": ratio(outstanding, outstanding + t.loan_fund_cash),
        "service_charges": money(t.charges, currency),
        "fines": money(t.fines, currency),
        "expenses": money(t.expenses, currency),
        "net_income": money(t.net_income, currency),
        "weeks_elapsed": ratio(t.days, 7) if t.days >= 0 else None,
        "roa_annualised": roa_annualised(t),
        "shares": t.shares,
        "share_value": money(t.group.share_value, currency),
        "value_per_share": money(value, currency),
        "return_per_share": (
            None if value is None else ratio(value - t.group.share_value, t.group.share_value)
        ),
    }


def group_indicators(session: Session, group: Group, as_of: dt.date) -> dict:
    return indicators_of(group_totals(session, group, as_of))


def indicators_of(t: GroupTotals) -> dict:
    group, as_of = t.group, t.as_of
    return {
        "group": group.code,
        "name": group.name,
        "currency": group.currency,
        "cycle": t.cycle.number,
        "cycle_start": t.cycle.start_on.isoformat(),
        "as_of": as_of.isoformat(),
        "indicators": {
            **people_indicators(t.people, group.currency),
            **fund_indicators(t),
        },
    }


def pooled_indicators(totals: list[GroupTotals], currency: str) -> dict[str, object]:
    """Groups of one currency as one: sums, and ratios of the sums (not means of ratios),
    except the return on assets, which is the mean of the groups' (as SAVIX reports it)."""
    slices = _slices()
    cash = social = saved = 0
    for t in totals:
        for g in GENDERS:
            slices[g].add(t.people[g])
        cash += t.loan_fund_cash
        social += t.social_fund
        saved += t.savings_total
    outstanding = slices["all"].outstanding
    roas = [r for r in (roa_annualised(t) for t in totals) if r is not None]
    return {
        **people_indicators(slices, currency),
        "savings_total": money(saved, currency),
        "loan_fund_cash": money(cash, currency),
        "social_fund_balance": money(social, currency),
        "assets": money(cash + social + outstanding, currency),
        "loan_fund_utilisation": ratio(outstanding, outstanding + cash),
        "roa_annualised_mean": ratio(sum(roas, Decimal(0)), len(roas)) if roas else None,
    }
