"""Savings groups: a group and its rules, its cycles, a member's position in it, expenses
and the statement. Meetings are in ``ledger.meetings``, loans in ``ledger.loans``, the end
of a cycle in ``ledger.shareout``.

Every function checks all its rules before it writes, raises ``LedgerError`` on the first
broken one, and leaves committing to the caller, so a rejected request writes nothing.
Every function that writes takes the group's lock first (``lock_group``): a group's books
have one writer at a time, so no check (the cap, the cash, a period's charge) passes twice.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ledger import journal
from ledger.codes import by_code, clean_code
from ledger.days import check_day
from ledger.errors import LedgerError
from ledger.members import clean_name
from ledger.models import (
    AccountKind,
    ChargeMethod,
    ChargePeriod,
    Cooperative,
    Cycle,
    EntryKind,
    Group,
    Holding,
    LeaverRule,
    Meeting,
    Member,
    MemberStatus,
)
from ledger.money import check_amount, check_currency

K = AccountKind


# -- groups and cycles ----------------------------------------------------------------------


def int_in(value: object, low: int, high: int, field: str) -> int:
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
    charge_period: ChargePeriod | str = ChargePeriod.DAYS_30,
    leaver_rule: LeaverRule | str = LeaverRule.SAVINGS_ONLY,
    cooperative: Cooperative | None = None,
) -> Group:
    """A new group and its first cycle. Amounts are minor units of ``currency``."""
    code = clean_code(code)
    check_day(cycle_start, "cycle_start")
    if by_code(session, Group, code) is not None:
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
        service_charge_bp=int_in(service_charge_bp, 0, 10_000, "service_charge_rate"),
        service_charge_method=ChargeMethod(service_charge_method),
        loan_cap_multiple=int_in(loan_cap_multiple, 1, 10, "loan_cap_multiple"),
        max_shares=int_in(max_shares, 1, 10, "max_shares"),
        max_loan_term_months=int_in(max_loan_term_months, 1, 12, "max_loan_term_months"),
        charge_period=choice(ChargePeriod, charge_period, "charge_period"),
        leaver_rule=choice(LeaverRule, leaver_rule, "leaver_rule"),
        meeting_weekday=int_in(meeting_weekday, 0, 6, "meeting_weekday"),
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


def choice(cls, value: object, field: str):
    try:
        return cls(value)
    except ValueError:
        raise LedgerError(
            "bad_choice", f"{field} is one of {', '.join(v.value for v in cls)}", field
        ) from None


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


def check_in_group(member: Member, group: Group) -> None:
    if member.group_id != group.id:
        raise LedgerError("other_group", f"the member is not in {group.code}", "member")
    if member.status != MemberStatus.ACTIVE:
        raise LedgerError("inactive", "the member is not active", "member")


def check_open(meeting: Meeting | None) -> None:
    """A closed meeting takes no more records: only a correction (``ledger.corrections``)."""
    if meeting is not None and meeting.closed_at is not None:
        raise LedgerError(
            "meeting_closed",
            f"the meeting of {meeting.held_on.isoformat()} is closed: only a correction",
            "meeting",
        )


def active_members(session: Session, group: Group) -> list[Member]:
    """The group's active members, by name (how an officer finds them on a list)."""
    return list(
        session.scalars(
            select(Member)
            .where(Member.group_id == group.id, Member.status == MemberStatus.ACTIVE)
            .order_by(Member.name, Member.id)
        )
    )


def active_member_count(session: Session, group: Group) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(Member)
            .where(Member.group_id == group.id, Member.status == MemberStatus.ACTIVE)
        )
        or 0
    )


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


# -- spending and reading -------------------------------------------------------------------


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
