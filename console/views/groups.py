"""Groups (``/console/groups``): the savings groups in scope; one group's rules, members,
meetings and indicators (split by gender); the meeting grid, saved all or nothing, once
(the form's key), with the author stamped on every row it writes."""

from __future__ import annotations

import datetime as dt
import json

from flask import current_app, redirect, request, url_for
from sqlalchemy import func, select

from console import auth, i18n, once
from console.errors import GENERIC, say
from console.forms import MeetingForm
from console.i18n import gettext
from console.pages import bp, by_code, out_of_scope, paginate, render
from console.words import FLAG_STATUS, translated
from ledger import access, authors, closing, db, vsla
from ledger.days import local_today, parse_day
from ledger.errors import LedgerError
from ledger.evidence import indicators
from ledger.meetings import MeetingRecord, record_meeting
from ledger.models import Attendance, Group, Meeting, Member
from ledger.money import to_minor

#: The people indicators shown, with the gender split.
SHOWN = (
    "members",
    "attendance_rate",
    "savings",
    "borrowers",
    "loans_outstanding",
    "par30_rate",
)
AMOUNTS = ("social_fund", "repayment", "loan", "fine")


def group_in_scope(code: str) -> Group:
    group = by_code(Group, code)
    if group is None or not access.may_act_for_group(auth.actor(), group):
        out_of_scope()
    return group


@bp.get("/groups")
def groups():
    ids = access.group_ids(db.session(), auth.actor())
    if not ids and not auth.actor().everywhere:
        out_of_scope()
    page = paginate(select(Group).where(Group.id.in_(ids)).order_by(Group.name))
    return render("groups.html", page=page)


@bp.get("/groups/<code>")
def group(code: str):
    session = db.session()
    found = group_in_scope(code)
    members = vsla.active_members(session, found)
    meetings = list(
        session.scalars(
            select(Meeting)
            .where(Meeting.group_id == found.id)
            .order_by(Meeting.held_on.desc())
            .limit(12)
        )
    )
    counts = dict(
        session.execute(
            select(Attendance.meeting_id, func.count())
            .where(Attendance.meeting_id.in_([m.id for m in meetings]), Attendance.present)
            .group_by(Attendance.meeting_id)
        ).all()
    )
    names = {m.recorded_by: authors.label(session, m.recorded_by) for m in meetings}
    report = indicators.group_report(session, found)
    differences = [(f, json.loads(f.details)) for f in closing.group_flags(session, found, 5)]
    some_day = dt.date(2026, 1, 5) + dt.timedelta(days=found.meeting_weekday)  # a Monday, +n
    return render(
        "group.html",
        group=found,
        members=members,
        meetings=meetings,
        counts=counts,
        names=names,
        report=report,
        differences=differences,
        statuses=translated(FLAG_STATUS),
        shown=SHOWN,
        weekday=i18n.tr().weekday(some_day),
    )


def _grid(group: Group, form: MeetingForm, errors: dict, status: int = 200, problem=None):
    members = vsla.active_members(db.session(), group)
    return (
        render(
            "meeting.html",
            group=group,
            form=form,
            members=members,
            errors=errors,
            values=request.form,
            problem=problem,
            terms=range(1, group.max_loan_term_months + 1),
        ),
        status,
    )


@bp.get("/groups/<code>/meeting")
def meeting(code: str):
    found = group_in_scope(code)
    form = MeetingForm()
    form.date.data = local_today(current_app.config["SANDUKU_TZ"]).isoformat()
    form.key.data = once.new_key()
    return _grid(found, form, {})


def _row(group: Group, member: Member, errors: dict) -> MeetingRecord | None:
    """One member's row of the grid, or None when nothing was written in it."""
    get = lambda name: (request.form.get(f"{name}-{member.id}") or "").strip()  # noqa: E731
    values: dict[str, int] = {}
    shares = get("shares")
    if shares:
        if not (shares.isascii() and shares.isdigit()) or not 0 <= int(shares) <= group.max_shares:
            errors[f"shares-{member.id}"] = gettext("From 0 to {n}.", n=group.max_shares)
        else:
            values["shares"] = int(shares)
    for name in AMOUNTS:
        raw = get(name).replace(" ", "").replace(",", ".")
        if raw:
            try:
                values[name] = to_minor(raw, group.currency, name)
            except LedgerError as exc:
                errors[f"{name}-{member.id}"] = say(exc)
    term = get("term")
    if values.get("loan"):
        if (
            not (term.isascii() and term.isdigit())
            or not 1 <= int(term) <= group.max_loan_term_months
        ):
            errors[f"term-{member.id}"] = gettext("From 1 to {n}.", n=group.max_loan_term_months)
        else:
            values["loan_term_months"] = int(term)
    if not any(values.values()):
        return None
    return MeetingRecord(member=member, **values)


@bp.post("/groups/<code>/meeting")
def save_meeting(code: str):
    session = db.session()
    found = group_in_scope(code)
    form = MeetingForm()
    if not form.validate_on_submit() or not once.valid(form.key.data):
        return _grid(found, form, {}, 400, gettext(GENERIC))
    done = once.saved(form.key.data)
    if done is not None:
        return redirect(done)
    errors: dict[str, str] = {}
    try:
        held_on = parse_day(form.date.data, "date")
    except LedgerError as exc:
        held_on = None
        form.date.errors = [say(exc)]
    members = vsla.active_members(session, found)
    records = [r for m in members if (r := _row(found, m, errors)) is not None]
    present = [m for m in members if request.form.get(f"present-{m.id}")]
    if errors or held_on is None:
        return _grid(found, form, errors, 422)
    result = url_for("console.group", code=found.code, saved=held_on.isoformat())
    try:
        once.save(
            form.key.data, result, lambda: record_meeting(session, found, held_on, present, records)
        )
    except LedgerError as exc:
        if exc.field == "date":
            form.date.errors = [say(exc)]
        return _grid(found, form, errors, 422, say(exc))
    return redirect(result)
