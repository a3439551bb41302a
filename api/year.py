"""The savings-group year beyond the weekly records: the group's rules, a meeting's
corrections, cash count and close, a write-off, a leaver, a newcomer, an expense, the
share-out's preview and the group's flags.

Scope: the group's officer or a coordinator (``ledger.access``); a group, meeting, member or
loan outside the caller's scope is answered as an unknown one (404), never as forbidden.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

from flask import current_app

from api import auth, lookup, year_schemas
from api.errors import ApiError
from api.groups import balances, charge_rate, group_json
from api.parsing import Body, query_date, read_json
from ledger import access, closing, corrections, db, rules, shareout, vsla
from ledger.days import local_today
from ledger.defaults import MAX_AMOUNT_MINOR
from ledger.loans import write_off as write_loan_off
from ledger.models import ApiToken, Group, Loan, Meeting, Member
from ledger.money import exponent, major, to_decimal


def _today() -> dt.date:
    return local_today(current_app.config["SANDUKU_TZ"])


def _latest() -> dt.date:
    return dt.date.today() + dt.timedelta(days=1)


def _path_id(value: str, noun: str) -> int:
    if not value.isascii() or not value.isdigit() or len(value) > 9:
        raise ApiError(404, f"unknown_{noun}", f"no such {noun}")
    return int(value)


def group_in_scope(token: ApiToken, code: str) -> Group:
    """The group in the path; one outside the caller's scope is unknown (404)."""
    group = lookup.group(code, "code", status=404)
    if not access.may_act_for_group(auth.actor(token), group):
        raise ApiError(404, "unknown_group", "no such group")
    return group


def _meeting(group: Group, meeting_id: str) -> Meeting:
    meeting = db.session().get(Meeting, _path_id(meeting_id, "meeting"))
    if meeting is None or meeting.group_id != group.id:
        raise ApiError(404, "unknown_meeting", "no such meeting")
    return meeting


def _member(group: Group, member_id: str) -> Member:
    member = db.session().get(Member, _path_id(member_id, "member"))
    if member is None or member.group_id != group.id:
        raise ApiError(404, "unknown_member", "no such member")
    return member


def _cash(body: Body, key: str, currency: str) -> int:
    """Money counted: 0 or more, exact, in major units."""
    number = to_decimal(body.raw(key, required=True), body.name(key), exponent(currency))
    minor = int(number.scaleb(exponent(currency)))
    if not 0 <= minor <= MAX_AMOUNT_MINOR:
        raise ApiError(422, "out_of_range", f"{key} is 0 or more", key)
    return minor


def _money(group: Group):
    return lambda minor: major(minor, group.currency)


# -- the group's rules ------------------------------------------------------------------------


def update_group(token: ApiToken, code: str) -> tuple[int, object]:
    group = group_in_scope(token, code)
    body = Body(read_json(), tuple(year_schemas.GROUP_PATCH["properties"]))
    changes: dict[str, object] = {}
    for key in ("name",):
        if body.has(key):
            changes[key] = body.text(key)
    if body.has("share_value"):
        changes["share_value"] = body.amount("share_value", group.currency)
    if body.has("social_fund_contribution"):
        changes["social_fund_contribution"] = _cash(
            body, "social_fund_contribution", group.currency
        )
    if body.has("service_charge_rate"):
        rate = charge_rate(body)
        changes["service_charge_bp"] = int(rate.scaleb(4))
    for key, low, high in (
        ("loan_cap_multiple", 1, 10),
        ("max_shares", 1, 10),
        ("max_loan_term_months", 1, 12),
        ("meeting_weekday", 0, 6),
    ):
        if body.has(key):
            changes[key] = body.count(key, low, high)
    for key in ("service_charge_method", "charge_period", "leaver_rule"):
        if body.has(key):
            changes[key] = body.choice(
                key, tuple(year_schemas.GROUP_PATCH["properties"][key]["enum"])
            )
    if body.has("meeting_time"):
        changes["meeting_time"] = body.time("meeting_time")
    if body.has("meeting_sms"):
        changes["meeting_sms"] = body.boolean("meeting_sms")
    rules.update_rules(db.session(), group, changes)
    return 200, group_json(group)


# -- a meeting: corrections, cash count, close ------------------------------------------------


def reverse_record(token: ApiToken, code: str, meeting_id: str, member_id: str):
    group = group_in_scope(token, code)
    body = Body(read_json(), tuple(year_schemas.REVERSE["properties"]))
    meeting = _meeting(group, meeting_id)
    member = _member(group, member_id)
    if not access.may_correct_meeting(auth.actor(token), group, meeting):
        raise ApiError(
            403, "meeting_closed", "the meeting is closed: a coordinator corrects it", "meeting"
        )
    reversals = corrections.reverse_record(db.session(), meeting, member, body.raw("reason"))
    money = _money(group)
    return 201, {
        "meeting_id": meeting.id,
        "member_id": member.id,
        "currency": group.currency,
        "reversed": [
            {
                "entry_id": r.id,
                "reverses": r.reverses_id,
                "amount": money(sum(line.amount for line in r.lines if line.amount > 0)),
            }
            for r in reversals
        ],
        "member": next(m for m in balances(group, meeting.id) if m["member_id"] == member.id),
    }


def _count_json(group: Group, meeting: Meeting) -> dict:
    money = _money(group)
    count = closing.cash_count_of(meeting)
    out: dict = {
        "meeting_id": meeting.id,
        "date": meeting.held_on,
        "currency": group.currency,
        "closed": meeting.closed_at is not None,
    }
    if count is not None:
        for fund in ("loan_fund", "social_fund"):
            out[fund] = {
                "counted": money(getattr(count, f"{fund}_counted")),
                "books": money(getattr(count, f"{fund}_books")),
                "difference": money(getattr(count, f"{fund}_difference")),
            }
        out["flagged"] = not count.agrees
    return out


def cash_count(token: ApiToken, code: str, meeting_id: str) -> tuple[int, object]:
    group = group_in_scope(token, code)
    body = Body(read_json(), tuple(year_schemas.CASH_COUNT["properties"]))
    meeting = _meeting(group, meeting_id)
    closing.count_cash(
        db.session(),
        meeting,
        _cash(body, "loan_fund", group.currency),
        _cash(body, "social_fund", group.currency),
    )
    return 201, _count_json(group, meeting)


def close(token: ApiToken, code: str, meeting_id: str) -> tuple[int, object]:
    group = group_in_scope(token, code)
    Body(read_json(allow_empty=True), tuple(year_schemas.CLOSE["properties"]))
    meeting = _meeting(group, meeting_id)
    closing.close_meeting(db.session(), meeting)
    return 201, {**_count_json(group, meeting), "closed_at": meeting.closed_at}


def show_meeting(token: ApiToken, code: str, meeting_id: str) -> tuple[int, object]:
    group = group_in_scope(token, code)
    meeting = _meeting(group, meeting_id)
    return 200, {**_count_json(group, meeting), "members": balances(group, meeting.id)}


# -- loans, members, expenses -----------------------------------------------------------------


def write_off(token: ApiToken, loan_id: str) -> tuple[int, object]:
    body = Body(read_json(), tuple(year_schemas.WRITE_OFF["properties"]))
    reason = body.text("reason", max_length=160)
    on = body.date("date", required=False, latest=_latest()) or _today()
    loan = db.session().get(Loan, _path_id(loan_id, "loan"))
    group = db.session().get(Group, loan.group_id) if loan is not None else None
    if loan is None or not access.may_act_for_group(auth.actor(token), group):
        raise ApiError(404, "unknown_loan", "no such loan")
    owed = loan.outstanding
    write_loan_off(db.session(), loan, on, reason)
    return 201, {
        "loan_id": loan.id,
        "member_id": loan.member_id,
        "group": group.code,
        "currency": group.currency,
        "written_off": major(owed, group.currency),
        "status": loan.status.value,
        "date": on,
    }


def leave(token: ApiToken, code: str, member_id: str) -> tuple[int, object]:
    group = group_in_scope(token, code)
    body = Body(read_json(allow_empty=True), tuple(year_schemas.LEAVE["properties"]))
    on = body.date("date", required=False, latest=_latest()) or _today()
    rule = body.choice(
        "rule", tuple(year_schemas.LEAVE["properties"]["rule"]["enum"]), required=False
    )
    member = _member(group, member_id)
    payout = shareout.member_leaves(db.session(), member, on, rule)
    money = _money(group)
    return 201, {
        "member_id": member.id,
        "group": group.code,
        "date": on,
        "rule": rule or group.leaver_rule.value,
        "currency": group.currency,
        "shares": payout.shares,
        "savings": money(payout.savings),
        "gross": money(payout.gross),
        "loans_netted": money(payout.loans_netted),
        "payout": money(payout.net),
        "status": member.status.value,
    }


def join(token: ApiToken, code: str, member_id: str) -> tuple[int, object]:
    """A member already on the books (POST /members) joins, or comes back, mid-cycle."""
    group = group_in_scope(token, code)
    body = Body(read_json(allow_empty=True), tuple(year_schemas.JOIN["properties"]))
    on = body.date("date", required=False, latest=_latest()) or _today()
    member = db.session().get(Member, _path_id(member_id, "member"))
    if member is None or not access.may_update_member(auth.actor(token), member):
        raise ApiError(404, "unknown_member", "no such member")
    rules.join(db.session(), group, member, on)
    return 201, {"member_id": member.id, "group": group.code, "joined_on": on}


def expense(token: ApiToken, code: str) -> tuple[int, object]:
    group = group_in_scope(token, code)
    body = Body(read_json(), tuple(year_schemas.EXPENSE["properties"]))
    amount = body.amount("amount", group.currency)
    memo = body.text("memo", max_length=160)
    on = body.date("date", required=False, latest=_latest()) or _today()
    vsla.record_expense(db.session(), group, amount, on, memo)
    return 201, {
        "group": group.code,
        "date": on,
        "currency": group.currency,
        "amount": major(amount, group.currency),
        "memo": memo,
    }


# -- the share-out's preview, the group's flags -----------------------------------------------


def share_out_preview(token: ApiToken, code: str) -> tuple[int, object]:
    group = group_in_scope(token, code)
    on = query_date("date") or _today()
    session = db.session()
    plan = shareout.preview(session, group, on)
    money = _money(group)
    names = {m.id: m.name for m in vsla.active_members(session, group)}

    def name(member_id: int) -> str:
        return names.get(member_id) or session.get(Member, member_id).name

    return 200, {
        "group": group.code,
        "cycle": plan.cycle_number,
        "date": on,
        "currency": group.currency,
        "fund": money(plan.fund),
        "total_shares": plan.total_shares,
        "value_per_share": (
            (Decimal(plan.fund) / plan.total_shares)
            .scaleb(-exponent(group.currency))
            .quantize(Decimal(1).scaleb(-exponent(group.currency)))
            if plan.total_shares
            else None
        ),
        "payouts": [
            {
                "member_id": p.member_id,
                "name": name(p.member_id),
                "shares": p.shares,
                "savings": money(p.savings),
                "gross": money(p.gross),
                "loans_netted": money(p.loans_netted),
                "payout": money(p.net),
            }
            for p in plan.payouts
        ],
        "still_owing": [
            {
                "member_id": b.member_id,
                "name": name(b.member_id),
                "owed": money(b.owed),
                "share_out": money(b.gross),
                "options": list(b.options),
            }
            for b in plan.borrowers
        ],
        "blocked": plan.blocked,
    }


def flags(token: ApiToken, code: str) -> tuple[int, object]:
    group = group_in_scope(token, code)
    return 200, {
        "group": group.code,
        "flags": [
            {
                "id": f.id,
                "kind": f.kind.value,
                "day": f.day,
                "reason": f.reason,
                "details": json.loads(f.details),
                "updated_at": f.updated_at,
            }
            for f in closing.group_flags(db.session(), group)
        ],
    }
