"""A group's rules, changed by its members' decision: the money rules between cycles only
(before the new cycle's first meeting), so every share of a cycle is bought at one price and
every loan charged by one rule; the meeting day and time, the name and the meeting SMS at
any time. A member who joins mid-cycle, and expenses, are here too.

Every function checks all its rules before it writes and raises ``LedgerError`` on the first
broken one, so a refused change writes nothing.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ledger.days import check_day
from ledger.errors import LedgerError
from ledger.members import clean_name
from ledger.models import (
    ChargeMethod,
    ChargePeriod,
    Group,
    LeaverRule,
    Meeting,
    Member,
    MemberStatus,
)
from ledger.money import check_amount
from ledger.vsla import choice, current_cycle, int_in, lock_group

#: Rules that hold for a whole cycle: changed only before its first meeting.
CYCLE_RULES = (
    "share_value",
    "social_fund_contribution",
    "service_charge_bp",
    "service_charge_method",
    "charge_period",
    "loan_cap_multiple",
    "max_shares",
    "max_loan_term_months",
    "leaver_rule",
)
#: Rules that may change at any time.
ANY_TIME = ("name", "meeting_weekday", "meeting_time", "meeting_sms")


def _checked(key: str, value: object) -> object:
    checks = {
        "share_value": lambda v: check_amount(v, "share_value"),
        "social_fund_contribution": lambda v: (
            0 if v == 0 else check_amount(v, "social_fund_contribution")
        ),
        "service_charge_bp": lambda v: int_in(v, 0, 10_000, "service_charge_rate"),
        "service_charge_method": lambda v: choice(ChargeMethod, v, "service_charge_method"),
        "charge_period": lambda v: choice(ChargePeriod, v, "charge_period"),
        "leaver_rule": lambda v: choice(LeaverRule, v, "leaver_rule"),
        "loan_cap_multiple": lambda v: int_in(v, 1, 10, "loan_cap_multiple"),
        "max_shares": lambda v: int_in(v, 1, 10, "max_shares"),
        "max_loan_term_months": lambda v: int_in(v, 1, 12, "max_loan_term_months"),
        "meeting_weekday": lambda v: int_in(v, 0, 6, "meeting_weekday"),
        "name": clean_name,
    }
    if key in checks:
        return checks[key](value)
    if key == "meeting_time" and not isinstance(value, dt.time):
        raise LedgerError("bad_time", "meeting_time is a time of day", key)
    if key == "meeting_sms" and not isinstance(value, bool):
        raise LedgerError("bad_type", "meeting_sms is true or false", key)
    return value


def cycle_started(session: Session, group: Group) -> bool:
    """Has the current cycle had a meeting yet?"""
    cycle = current_cycle(session, group)
    return bool(
        session.scalar(
            select(func.count()).select_from(Meeting).where(Meeting.cycle_id == cycle.id)
        )
    )


def update_rules(session: Session, group: Group, changes: dict[str, object]) -> Group:
    """Change the group's rules: ``changes`` maps a rule (``CYCLE_RULES``, ``ANY_TIME``) to
    its new value. A cycle rule that changes once the cycle has met is refused."""
    unknown = sorted(set(changes) - set(CYCLE_RULES) - set(ANY_TIME))
    if unknown:
        raise LedgerError("unknown_rule", f"no rule {unknown[0]!r}", unknown[0])
    lock_group(session, group)
    values = {key: _checked(key, value) for key, value in changes.items()}
    moved = [k for k in CYCLE_RULES if k in values and values[k] != getattr(group, k)]
    if moved and cycle_started(session, group):
        raise LedgerError(
            "cycle_started",
            f"{moved[0]} holds for the whole cycle: change it after the share-out,"
            " before the next cycle's first meeting",
            moved[0],
        )
    for key, value in values.items():
        setattr(group, key, value)
    session.flush()
    return group


def join(session: Session, group: Group, member: Member, on: dt.date) -> Member:
    """A member joins the group mid-cycle (or comes back after leaving): active from ``on``,
    she buys shares from her first meeting at the cycle's price; no catch-up is asked."""
    check_day(on, "date")
    lock_group(session, group)
    cycle = current_cycle(session, group)
    if on < cycle.start_on:
        raise LedgerError("before_cycle", "the date is before the cycle starts", "date")
    if on > dt.date.today() + dt.timedelta(days=1):
        raise LedgerError("future", "the date is in the future", "date")
    if member.group_id not in (None, group.id) and member.status == MemberStatus.ACTIVE:
        raise LedgerError("other_group", "this member belongs to another group", "member")
    if member.group_id == group.id and member.status == MemberStatus.ACTIVE and member.joined_on:
        raise LedgerError("exists", f"{member.name} is already in {group.code}", "member")
    member.group_id = group.id
    member.status, member.joined_on, member.left_on = MemberStatus.ACTIVE, on, None
    session.flush()
    return member
