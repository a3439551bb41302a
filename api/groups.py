"""Savings groups: create one, record a meeting, close the cycle, a member's statement."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from flask import current_app
from sqlalchemy import select

from api import auth, lookup
from api.defaults import (
    MAX_CYCLE_START_AHEAD_DAYS,
    STATEMENT_RECENT,
)
from api.errors import ApiError
from api.members import member_from_path
from api.parsing import Body, member_ref, query_date, request_body
from ledger import access, db, journal, meetings, shareout, vsla
from ledger.days import local_today
from ledger.loans import open_loans
from ledger.members import parse_phone
from ledger.models import (
    AccountKind,
    ApiToken,
    Attendance,
    ChargeMethod,
    Group,
    Member,
    MemberStatus,
)
from ledger.money import check_currency, exponent, major, to_decimal
from ledger.statement import member_statement

AMOUNTS = ("social_fund", "loan", "repayment", "fine", "grant")


def _tomorrow() -> dt.date:
    """Latest meeting or share-out date: the ledger's own bound (time zones differ by a day)."""
    return dt.date.today() + dt.timedelta(days=1)


def group_json(group: Group) -> dict:
    cycle = vsla.current_cycle(db.session(), group)
    return {
        "id": group.id,
        "code": group.code,
        "name": group.name,
        "cooperative": group.cooperative.code if group.cooperative else None,
        "currency": group.currency,
        "share_value": major(group.share_value, group.currency),
        "social_fund_contribution": major(group.social_fund_contribution, group.currency),
        "service_charge_rate": Decimal(group.service_charge_bp).scaleb(-4),
        "service_charge_method": group.service_charge_method.value,
        "loan_cap_multiple": group.loan_cap_multiple,
        "max_shares": group.max_shares,
        "max_loan_term_months": group.max_loan_term_months,
        "charge_period": group.charge_period.value,
        "leaver_rule": group.leaver_rule.value,
        "meeting_sms": group.meeting_sms,
        "meeting_weekday": group.meeting_weekday,
        "meeting_time": group.meeting_time.strftime("%H:%M"),
        "cycle": {"number": cycle.number, "start": cycle.start_on, "end": cycle.end_on},
        "members": vsla.active_member_count(db.session(), group),
    }


def charge_rate(body: Body) -> Decimal:
    """The monthly service charge, a fraction from 0 to 1 (4 places)."""
    rate = body.decimal("service_charge_rate", 4)
    if not Decimal(0) <= rate <= 1:
        raise ApiError(
            422,
            "out_of_range",
            "service_charge_rate is a monthly fraction such as 0.10",
            "service_charge_rate",
        )
    return rate


def create(token: ApiToken) -> tuple[int, object]:
    body = request_body()
    coop = lookup.cooperative(body.text("cooperative"))
    currency = check_currency(body.text("currency"))
    social = body.raw("social_fund_contribution", required=True)
    rate = charge_rate(body)
    group = vsla.create_group(
        db.session(),
        code=body.text("code"),
        name=body.text("name"),
        cooperative=coop,
        currency=currency,
        share_value=body.amount("share_value", currency),
        social_fund_contribution=(
            0
            if to_decimal(social, "social_fund_contribution", exponent(currency)) == 0
            else body.amount("social_fund_contribution", currency)
        ),
        service_charge_bp=int(rate.scaleb(4)),
        service_charge_method=ChargeMethod(
            body.choice("service_charge_method", required=False) or ChargeMethod.FLAT
        ),
        loan_cap_multiple=body.count("loan_cap_multiple", required=False) or 3,
        max_shares=body.count("max_shares", required=False) or 5,
        max_loan_term_months=body.count("max_loan_term_months", required=False) or 3,
        meeting_weekday=body.count("meeting_weekday"),
        meeting_time=body.time("meeting_time"),
        cycle_start=body.date(
            "cycle_start",
            latest=dt.date.today() + dt.timedelta(days=MAX_CYCLE_START_AHEAD_DAYS),
        ),
    )
    return 201, group_json(group)


def _group_in_scope(token: ApiToken, code: str) -> Group:
    group = lookup.group(code, "code", status=404)
    auth.require_group(token, group)
    return group


def show(token: ApiToken, code: str) -> tuple[int, object]:
    return 200, group_json(_group_in_scope(token, code))


# -- a meeting --------------------------------------------------------------------------------


def _named(token: ApiToken, value: object, field: str, group: Group) -> Member:
    """A member named in a meeting: an officer can name only members of the group (anyone
    else is unknown to them); a coordinator anyone, and the books refuse outsiders."""
    actor = auth.actor(token)
    return lookup.member(
        member_ref(value, field),
        field,
        visible=lambda m: access.may_name_at_meeting(actor, m, group),
        fits=lambda m: m.group_id == group.id,
    )


def _record(token: ApiToken, body: Body, group: Group) -> meetings.MeetingRecord:
    if body.has("member_id"):
        member = _named(token, body.raw("member_id"), body.name("member_id"), group)
        if body.has("phone") and parse_phone(body.raw("phone"), body.name("phone")) != member.phone:
            raise ApiError(
                422,
                "phone_mismatch",
                "phone and member_id name different members",
                body.name("phone"),
            )
    elif body.has("phone"):
        member = _named(token, body.raw("phone"), body.name("phone"), group)
    else:
        raise ApiError(422, "required", "each record names phone or member_id", body.name("phone"))
    amounts = {key: body.amount(key, group.currency, required=False) or 0 for key in AMOUNTS}
    term = body.count("loan_term_months", high=group.max_loan_term_months, required=False)
    if term is not None and not amounts["loan"]:
        raise ApiError(
            422, "no_loan", "loan_term_months goes with a loan", body.name("loan_term_months")
        )
    return meetings.MeetingRecord(
        member=member,
        fine_reason=body.choice(
            "fine_reason", tuple(r.value for r in meetings.FineReason), required=False
        )
        or meetings.FineReason.OTHER,
        shares=body.count("shares", high=group.max_shares, required=False) or 0,
        loan_term_months=term,
        **amounts,
    )


def balances(group: Group, meeting_id: int) -> list[dict]:
    session = db.session()
    cycle = vsla.current_cycle(session, group)
    attendance = {
        a.member_id: a
        for a in session.scalars(select(Attendance).where(Attendance.meeting_id == meeting_id))
    }
    members = session.scalars(
        select(Member)
        .where(
            Member.group_id == group.id,
            (Member.status == MemberStatus.ACTIVE) | Member.id.in_(list(attendance)),
        )
        .order_by(Member.id)
    )
    out = []
    for member in members:
        seen = attendance.get(member.id)
        loans = open_loans(session, member)
        out.append(
            {
                "member_id": member.id,
                "phone": member.phone,
                "name": member.name,
                "present": bool(seen and seen.present),
                "shares_bought": seen.shares if seen else 0,
                "shares": vsla.shares_of(session, cycle, member),
                "savings": major(vsla.savings_of(session, member), group.currency),
                "social_fund": major(
                    -journal.balance(
                        session,
                        AccountKind.SOCIAL_CONTRIBUTIONS,
                        group.currency,
                        group_id=group.id,
                        member_id=member.id,
                    ),
                    group.currency,
                ),
                "loan_outstanding": major(sum(loan.outstanding for loan in loans), group.currency),
            }
        )
    return out


def record_meeting(token: ApiToken, code: str) -> tuple[int, object]:
    """All or nothing: every record is checked by the books before anything is kept."""
    group = _group_in_scope(token, code)
    body = request_body()
    held_on = body.date("date", latest=_tomorrow())
    present = [
        _named(token, v, f"present[{i}]", group) for i, v in enumerate(body.array("present"))
    ]
    records = [_record(token, record, group) for record in body.items("records")]
    meeting = meetings.record_meeting(db.session(), group, held_on, present, records)
    return 201, {
        "meeting_id": meeting.id,
        "group": group.code,
        "date": meeting.held_on,
        "currency": group.currency,
        "members": balances(group, meeting.id),
    }


def share_out(token: ApiToken, code: str) -> tuple[int, object]:
    group = _group_in_scope(token, code)
    body = request_body()
    on = body.date("date", required=False, latest=_tomorrow()) or dt.date.today()
    session = db.session()
    cycle = vsla.current_cycle(session, group)
    payouts = shareout.share_out(session, group, on)
    money = lambda minor: major(minor, group.currency)  # noqa: E731
    rows = []
    for payout in payouts:
        member = session.get(Member, payout.member_id)
        rows.append(
            {
                "member_id": member.id,
                "phone": member.phone,
                "name": member.name,
                "shares": payout.shares,
                "savings": money(payout.savings),
                "gross": money(payout.gross),
                "loans_netted": money(payout.loans_netted),
                "payout": money(payout.net),
            }
        )
    total_shares = sum(p.shares for p in payouts)
    fund = sum(p.gross for p in payouts)
    return 201, {
        "group": group.code,
        "cycle": cycle.number,
        "date": on,
        "currency": group.currency,
        "total_shares": total_shares,
        "fund": money(fund),
        "value_per_share": (
            (Decimal(fund) / total_shares)
            .scaleb(-exponent(group.currency))
            .quantize(Decimal(1).scaleb(-exponent(group.currency)))
            if total_shares
            else None
        ),
        "payouts": rows,
        "total_paid": money(sum(p.net for p in payouts)),
    }


def statement(token: ApiToken, phone: str) -> tuple[int, object]:
    member = member_from_path(token, phone)
    as_of = query_date("as_of") or local_today(current_app.config["SANDUKU_TZ"])
    data = member_statement(db.session(), member, as_of, recent=STATEMENT_RECENT)
    currency = data["currency"]
    money = lambda minor: major(minor, currency)  # noqa: E731
    return 200, {
        "member": {"id": member.id, "phone": member.phone, "name": member.name},
        "group": data["group"].code,
        "currency": currency,
        "as_of": as_of,
        "savings": {"shares": data["shares"], "amount": money(data["savings"])},
        "social_fund": money(data["social_fund"]),
        "loans": [
            {
                "id": loan.id,
                "principal": money(loan.principal),
                "charge": money(loan.charged),
                "paid": money(loan.paid),
                "outstanding": money(loan.outstanding),
                "disbursed_on": loan.disbursed_on,
                "due_on": loan.due_on,
                "status": loan.status.value,
            }
            for loan in data["loans"]
        ],
        "recent": [
            {
                "date": entry.occurred_on,
                "kind": entry.kind.value,
                "amount": money(amount),
                "memo": entry.memo,
                "reversed": entry.id in data["reversed"],
                "reverses": entry.reverses_id,
            }
            for entry, amount in data["recent"]
        ],
    }
