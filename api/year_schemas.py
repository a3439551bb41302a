"""The request bodies of the savings-group year's operations (rules between cycles,
corrections, the cash count, closing, leavers, joiners, expenses, write-offs), described once
as ``api.schemas`` describes the others."""

from __future__ import annotations

from api.schemas import DATE, TEXT, amount, count, decimal, obj

GROUP_PATCH = obj(
    (),
    name=TEXT,
    share_value=amount("price of one share (between cycles only)"),
    social_fund_contribution={
        "type": ["string", "number"],
        "description": "per meeting, major units; 0 for none (between cycles only)",
    },
    service_charge_rate=decimal("monthly service charge, a fraction (between cycles)", "0.10"),
    service_charge_method={"enum": ["flat", "declining"]},
    charge_period={
        "enum": ["30_days", "4_weeks"],
        "description": "a charge every 30 days, or every 4 weeks (between cycles only)",
    },
    loan_cap_multiple=count(1, 10, "loans up to this many times savings (between cycles)"),
    max_shares=count(1, 10, "shares a member may buy per meeting (between cycles)"),
    max_loan_term_months=count(1, 12, "longest loan (between cycles)"),
    leaver_rule={
        "enum": ["savings_only", "savings_and_profit"],
        "description": "what a member who leaves mid-cycle takes (between cycles only)",
    },
    meeting_weekday=count(0, 6, "0 = Monday ... 6 = Sunday (any time)"),
    meeting_time={"type": "string", "pattern": "^[0-9]{1,2}:[0-9]{2}$", "examples": ["15:00"]},
    meeting_sms={"type": "boolean", "description": "an SMS to each member once a meeting closes"},
)

REASON = {"type": "string", "maxLength": 160, "minLength": 1}

REVERSE = obj(("reason",), reason=REASON)


def cash(description: str) -> dict:
    return {
        "type": ["string", "number"],
        "description": f"{description}: major units, 0 or more",
        "examples": ["125000", 0],
    }


CASH_COUNT = obj(
    ("loan_fund", "social_fund"),
    loan_fund=cash("counted in the loan-fund bag"),
    social_fund=cash("counted in the social-fund bag"),
)

CLOSE = obj(())

WRITE_OFF = obj(
    ("reason",), reason=REASON, date={**DATE, "description": "the group's decision; today"}
)

LEAVE = obj(
    (),
    date={**DATE, "description": "default: today"},
    rule={
        "enum": ["savings_only", "savings_and_profit"],
        "description": "default: the group's rule",
    },
)

JOIN = obj((), date={**DATE, "description": "default: today"})

EXPENSE = obj(
    ("amount", "memo"),
    amount=amount("paid from the loan fund"),
    memo={"type": "string", "maxLength": 160, "examples": ["stationery", "a new padlock"]},
    date={**DATE, "description": "default: today"},
)
