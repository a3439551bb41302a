"""Reconciliation over the API: payouts with totals per state and method, each premium's
paid against approved, and the payouts stuck in ``unknown`` (also raised as flags).

Scopes: a coordinator sees every cooperative (or one, ``?cooperative=``); a buyer their own.
"""

from __future__ import annotations

import datetime as dt

from flask import request

from api import auth, lookup
from api.errors import ApiError
from api.parsing import Body, read_json, whole_number
from ledger import access, db, payouts
from ledger.models import ApiRole, ApiToken, Payout, PayoutMethod, PayoutState, utcnow
from ledger.money import major
from ledger.premiums import reconcile, report

MAX_PAGE = 500


def _choice(name: str, enum):
    raw = request.args.get(name)
    if raw is None:
        return None
    try:
        return enum(raw)
    except ValueError:
        choices = ", ".join(e.value for e in enum)
        raise ApiError(422, f"bad_{name}", f"{name} is one of {choices}", name) from None


def cooperative_in_scope(token: ApiToken) -> int | None:
    """``?cooperative=``: any for a coordinator (None: all), a buyer's own (403 for another)."""
    coop_id = None
    if request.args.get("cooperative"):
        coop_id = lookup.cooperative(request.args["cooperative"], "cooperative", status=404).id
    if token.role == ApiRole.BUYER:
        if coop_id not in (None, token.cooperative_id):
            raise auth.forbid("this cooperative")
        coop_id = token.cooperative_id
    return coop_id


def payout_json(payout: Payout, now: dt.datetime) -> dict:
    return {
        "reference": payout.reference,
        "cause": payout.cause,
        "member_id": payout.member_id,
        "method": payout.method.value,
        "state": payout.state.value,
        "amount": major(payout.amount, payout.currency),
        "currency": payout.currency,
        "attempts": payout.attempts,
        "failure_reason": payout.failure_reason,
        "created_at": payout.created_at,
        "paid_at": payout.paid_at,
        "unknown_since": payout.unknown_since,
        "unknown_over_a_day": bool(
            payout.state == PayoutState.UNKNOWN
            and payout.unknown_since
            and now - payout.unknown_since > dt.timedelta(days=1)
        ),
    }


def listing(token: ApiToken) -> tuple[int, object]:
    session = db.session()
    coop_id = cooperative_in_scope(token)
    state = _choice("state", PayoutState)
    method = _choice("method", PayoutMethod)
    limit = whole_number(request.args.get("limit", "100"), "limit", 1, MAX_PAGE)
    before = request.args.get("before_id")
    before_id = whole_number(before, "before_id", 1, 2**31 - 1) if before else None
    now = utcnow()
    found = reconcile.listing(
        session, cooperative_id=coop_id, state=state, method=method, limit=limit,
        before_id=before_id,
    )  # fmt: skip
    return 200, {
        "totals": [
            {**row, "amount": major(row["amount"], row["currency"])}
            for row in reconcile.totals(session, cooperative_id=coop_id, state=state, method=method)
        ],
        "premiums": [
            {
                **row,
                **{
                    k: major(row[k], row["currency"])
                    for k in ("miners_total", "due", "paid", "carried")
                },
            }
            for row in reconcile.premiums_paid(session, coop_id)
        ],
        "payouts": [payout_json(p, now) for p in found],
        "next_before_id": found[-1].id if len(found) == limit else None,
    }


def _flag(name: str) -> bool:
    raw = request.args.get(name, "false")
    if raw not in ("true", "false"):
        raise ApiError(422, f"bad_{name}", f"{name} is true or false", name)
    return raw == "true"


def premium_report(token: ApiToken) -> tuple[int, object]:
    """Each approved premium's paid against approved, newest first, payouts by state."""
    coop_id = cooperative_in_scope(token)
    unpaid = _flag("unpaid")
    limit = whole_number(request.args.get("limit", "50"), "limit", 1, MAX_PAGE)
    before = request.args.get("before_id")
    before_id = whole_number(before, "before_id", 1, 2**31 - 1) if before else None
    rows = report.report(
        db.session(), cooperative_id=coop_id, unpaid_only=unpaid, limit=limit, before_id=before_id
    )
    return 200, {
        "premiums": [report_json(row) for row in rows],
        "next_before_id": rows[-1].premium_id if len(rows) == limit else None,
    }


def report_json(row: report.PremiumReport) -> dict:
    money = lambda minor: major(minor, row.currency)  # noqa: E731
    return {
        "id": row.premium_id,
        "number": row.number,
        "cooperative": row.cooperative,
        "currency": row.currency,
        "approved_at": row.approved_at,
        "amount": money(row.amount),
        "miners_total": money(row.miners_total),
        "approved": {"miners": row.miners, "amount": money(row.due)},
        "paid": {"miners": row.miners_paid, "amount": money(row.paid)},
        "carried": {"miners": row.miners_carried, "amount": money(row.carried)},
        "payouts": {state.value: n for state, n in row.payouts.items()},
        "fully_paid": row.fully_paid,
    }


def new_cash_code(token: ApiToken, reference: str) -> tuple[int, object]:
    """A new cash code for a miner's waiting payout, sent to her phone by SMS only: the
    answer never carries it, so whoever asks cannot collect the cash."""
    Body(read_json(allow_empty=True), ())
    session = db.session()
    valid = reference.isascii() and reference.isalnum() and len(reference) <= 64
    payout = payouts.by_reference(session, reference) if valid else None
    if payout is None or not access.may_manage_premiums(auth.actor(token), payout.cooperative_id):
        raise ApiError(404, "unknown_payout", "no such payout")
    payouts.new_cash_code(session, payout)
    return 200, {**payout_json(payout, utcnow()), "code_sent": True}
