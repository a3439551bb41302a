"""The end of a group's year, and of a membership: the share-out's preview, then confirm
(``ledger.shareout``); a member who leaves mid-cycle, paid by the group's rule; a loan the
group gives up on, written off (``ledger.loans.write_off``).

Scope first, as the API's: the group's officer or a coordinator of its cooperative
(``access.may_act_for_group``); a member or loan of another group is unknown (404)."""

from __future__ import annotations

import datetime as dt

from flask import current_app, redirect, request, url_for
from sqlalchemy import select

from console import once
from console.errors import GENERIC, MESSAGES, say
from console.forms import DayForm, LeaveForm, ReasonForm
from console.i18n import gettext
from console.pages import bp, out_of_scope, render, row
from console.pages import text as clean
from console.views.groups import group_in_scope
from ledger import corrections, db, shareout, vsla
from ledger.days import local_today, parse_day
from ledger.errors import LedgerError
from ledger.loans import open_loans
from ledger.loans import write_off as write_loan_off
from ledger.models import Group, LeaverRule, Loan, LoanStatus, Member, MemberStatus
from locales import _

#: The group's choices for a leaver's payout (its constitution's), as a coordinator reads them.
RULES = {
    LeaverRule.SAVINGS_ONLY.value: _("Her savings only: the profit stays with the group"),
    LeaverRule.SAVINGS_AND_PROFIT.value: _("Her savings and her part of the profit to date"),
}


def today() -> dt.date:
    return local_today(current_app.config["SANDUKU_TZ"])


def day(raw: object) -> dt.date:
    """A day typed in a form: a date, and not after today."""
    on = parse_day((raw or "").strip() if isinstance(raw, str) else raw, "date")
    if on > today():
        raise LedgerError("day_ahead", "the day has not come yet", "date")
    return on


# -- the share-out ----------------------------------------------------------------------------


def _share_out(group: Group, on: dt.date, status: int = 200, **shown):
    session = db.session()
    plan = shareout.preview(session, group, on)
    ids = {p.member_id for p in plan.payouts} | {b.member_id for b in plan.borrowers}
    names = dict(session.execute(select(Member.id, Member.name).where(Member.id.in_(ids))).all())
    return (
        render(
            "share_out.html",
            group=group,
            plan=plan,
            names=names,
            per_share=plan.fund // plan.total_shares if plan.total_shares else None,
            form=DayForm(formdata=None, key=once.new_key(), date=on.isoformat()),
            typed=shown.pop("typed", on.isoformat()),
            date_error=shown.pop("date_error", None),
            problem=shown.pop("problem", None),
        ),
        status,
    )


@bp.get("/groups/<code>/share-out")
def share_out(code: str):
    group = group_in_scope(code)
    raw = request.args.get("date")
    if raw is None:
        return _share_out(group, today())
    try:
        return _share_out(group, day(raw), typed=raw)
    except LedgerError as exc:
        return _share_out(group, today(), 422, typed=clean(raw, 20), date_error=say(exc))


@bp.post("/groups/<code>/share-out")
def do_share_out(code: str):
    group = group_in_scope(code)
    form = DayForm()
    if not form.validate_on_submit() or not once.valid(form.key.data):
        return _share_out(group, today(), 400, problem=gettext(GENERIC))
    if (done := once.saved(form.key.data)) is not None:
        return redirect(done)
    try:
        on = day(form.date.data)
    except LedgerError as exc:
        return _share_out(group, today(), 422, problem=say(exc))
    result = url_for("console.group", code=group.code, shared=on.isoformat())
    try:
        once.save(form.key.data, result, lambda: shareout.share_out(db.session(), group, on))
    except LedgerError as exc:
        return _share_out(group, on, 422, problem=say(exc))
    return redirect(result)


# -- a member leaves --------------------------------------------------------------------------


def member_in_group(group: Group, number: int) -> Member:
    member = row(Member, number)
    if member is None or member.group_id != group.id:
        out_of_scope()
    return member


def _leave(group: Group, member: Member, form: LeaveForm, status: int = 200, problem=None):
    session = db.session()
    active = member.status == MemberStatus.ACTIVE
    form.key.data = once.new_key()
    return (
        render(
            "leave.html",
            group=group,
            member=member,
            active=active,
            form=form,
            rules=RULES,
            problem=problem,
            shares=vsla.shares_of(session, vsla.current_cycle(session, group), member),
            savings=vsla.savings_of(session, member),
            owed=sum(loan.outstanding for loan in open_loans(session, member)),
        ),
        status,
    )


@bp.get("/groups/<code>/members/<int:number>/leave")
def leave(code: str, number: int):
    group = group_in_scope(code)
    member = member_in_group(group, number)
    form = LeaveForm(formdata=None, date=today().isoformat(), rule=group.leaver_rule.value)
    return _leave(group, member, form)


@bp.post("/groups/<code>/members/<int:number>/leave")
def member_leaves(code: str, number: int):
    group = group_in_scope(code)
    member = member_in_group(group, number)
    form = LeaveForm()
    if not form.validate_on_submit() or not once.valid(form.key.data):
        return _leave(group, member, form, 400, gettext(GENERIC))
    if (done := once.saved(form.key.data)) is not None:
        return redirect(done)
    on = rule = None
    try:
        on = day(form.date.data)
    except LedgerError as exc:
        form.date.errors = [say(exc)]
    try:
        rule = shareout.leaver_rule(form.rule.data)
    except LedgerError as exc:
        form.rule.errors = [say(exc)]
    if on is None or rule is None:
        return _leave(group, member, form, 422)
    result = url_for("console.member", number=member.id)
    try:
        once.save(
            form.key.data,
            result,
            lambda: shareout.member_leaves(db.session(), member, on, rule),
        )
    except LedgerError as exc:
        if exc.field in ("date", "rule"):
            getattr(form, exc.field).errors = [say(exc)]
            return _leave(group, member, form, 422)
        return _leave(group, member, form, 422, say(exc))
    return redirect(result)


# -- a loan written off -----------------------------------------------------------------------


def _loans(group: Group, status: int = 200, **shown):
    session = db.session()
    loans = list(
        session.scalars(
            select(Loan)
            .where(
                Loan.group_id == group.id,
                Loan.status.in_([LoanStatus.OPEN, LoanStatus.OVERDUE]),
            )
            .order_by(Loan.disbursed_on, Loan.id)
        )
    )
    return (
        render(
            "loans.html",
            group=group,
            loans=loans,
            keys={loan.id: once.new_key() for loan in loans},
            today=today(),
            failed=shown.pop("failed", None),
            form=shown.pop("form", None),
            problem=shown.pop("problem", None),
            done=request.args.get("done"),
        ),
        status,
    )


@bp.get("/groups/<code>/loans")
def loans(code: str):
    return _loans(group_in_scope(code))


@bp.post("/groups/<code>/loans/<int:number>/write-off")
def write_off(code: str, number: int):
    group = group_in_scope(code)
    loan = row(Loan, number)
    if loan is None or loan.group_id != group.id:
        out_of_scope()
    form = ReasonForm()
    shown = {"failed": loan.id, "form": form}
    if not form.validate_on_submit() or not once.valid(form.key.data):
        return _loans(group, 400, problem=gettext(GENERIC), **shown)
    if (done := once.saved(form.key.data)) is not None:
        return redirect(done)
    if not loan.is_open:
        return _loans(group, 422, problem=gettext(MESSAGES["closed"]))
    try:
        reason = corrections.clean_reason(clean(form.reason.data, 1000))
    except LedgerError as exc:
        form.reason.errors = [say(exc)]
        return _loans(group, 422, **shown)
    result = url_for("console.loans", code=group.code, done="written_off")
    on = max(today(), loan.disbursed_on)
    try:
        once.save(form.key.data, result, lambda: write_loan_off(db.session(), loan, on, reason))
    except LedgerError as exc:
        return _loans(group, 422, problem=say(exc), **shown)
    return redirect(result)
