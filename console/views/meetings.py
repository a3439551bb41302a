"""A meeting's page (``/console/groups/<code>/meetings/<id>``): each member's records at it,
reversed lines shown as reversed, with who recorded them; a member's record reversed (a
reason, never an edit: ``ledger.corrections``); the box counted against the books, then the
meeting closed (``ledger.closing``).

Scope first, as the API's: the group's officer or a coordinator of its cooperative; once the
meeting is closed, only a coordinator corrects it (``access.may_correct_meeting``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import redirect, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from console import auth, once
from console.errors import GENERIC, MESSAGES, say
from console.forms import CashCountForm, DayForm, ReasonForm
from console.i18n import gettext
from console.pages import bp, out_of_scope, render, row
from console.pages import text as clean
from console.views.groups import group_in_scope
from console.words import ENTRY_KINDS, translated
from ledger import access, authors, closing, corrections, db
from ledger.defaults import MAX_AMOUNT_MINOR
from ledger.errors import LedgerError
from ledger.models import Attendance, Entry, EntryKind, Group, Meeting, Member
from ledger.money import exponent, to_decimal
from locales import _

#: Said when an officer tries to correct a closed meeting.
CLOSED = _("The meeting is closed: only a coordinator corrects it now.")


@dataclass
class Line:
    entry: Entry
    amount: int
    #: The entry that reversed this one, if any.
    reversal: Entry | None = None

    @property
    def reason(self) -> str:
        """The reason typed when it was reversed (the memo says which entry, then why)."""
        memo = (self.reversal.memo or "") if self.reversal else ""
        return memo.partition(": ")[2]


@dataclass
class Record:
    member: Member
    present: bool
    lines: list[Line] = field(default_factory=list)

    @property
    def standing(self) -> bool:
        """Something here may still be reversed."""
        kinds = set(corrections.RECORD_KINDS)
        return any(line.reversal is None and line.entry.kind in kinds for line in self.lines)


def meeting_in_scope(code: str, number: int) -> tuple[Group, Meeting]:
    group = group_in_scope(code)
    meeting = row(Meeting, number)
    if meeting is None or meeting.group_id != group.id:
        out_of_scope()
    return group, meeting


def records(meeting: Meeting) -> list[Record]:
    """Who attended or has a record at the meeting, by name, with every line of it."""
    session = db.session()
    entries = list(
        session.scalars(
            select(Entry)
            .where(Entry.meeting_id == meeting.id, Entry.member_id.is_not(None))
            .options(selectinload(Entry.lines))
            .order_by(Entry.id)
        )
    )
    undone = {e.reverses_id: e for e in entries if e.reverses_id is not None}
    present = dict(
        session.execute(
            select(Attendance.member_id, Attendance.present).where(
                Attendance.meeting_id == meeting.id
            )
        ).all()
    )
    ids = set(present) | {e.member_id for e in entries}
    people = session.scalars(select(Member).where(Member.id.in_(ids)).order_by(Member.name))
    found = {m.id: Record(m, bool(present.get(m.id))) for m in people}
    for entry in entries:
        if entry.kind != EntryKind.REVERSAL:
            amount = sum(line.amount for line in entry.lines if line.amount > 0)
            found[entry.member_id].lines.append(Line(entry, amount, undone.get(entry.id)))
    return list(found.values())


def _page(group: Group, meeting: Meeting, status: int = 200, **shown):
    """The meeting's page; ``shown`` carries a refused form (``failed``: whose), a problem."""
    session = db.session()
    listed = records(meeting)
    tags = {line.entry.recorded_by for r in listed for line in r.lines}
    tags |= {line.reversal.recorded_by for r in listed for line in r.lines if line.reversal}
    keys = {r.member.id: once.new_key() for r in listed}
    count = shown.pop("count", None) or CashCountForm(formdata=None)
    count.key.data = once.new_key()
    return (
        render(
            "meeting_page.html",
            group=group,
            meeting=meeting,
            records=listed,
            names={tag: authors.label(session, tag) for tag in tags},
            kinds=translated(ENTRY_KINDS),
            may_correct=access.may_correct_meeting(auth.actor(), group, meeting),
            keys=keys,
            count=count,
            counted=closing.cash_count_of(meeting),
            close=DayForm(formdata=None, key=once.new_key()),
            reverse=shown.pop("reverse", None),
            failed=shown.pop("failed", None),
            problem=shown.pop("problem", None),
            done=shown.pop("done", None),
        ),
        status,
    )


@bp.get("/groups/<code>/meetings/<int:number>")
def meeting_page(code: str, number: int):
    group, meeting = meeting_in_scope(code, number)
    return _page(group, meeting, done=request.args.get("done"))


def _done(group: Group, meeting: Meeting, what: str) -> str:
    return url_for("console.meeting_page", code=group.code, number=meeting.id, done=what)


@bp.post("/groups/<code>/meetings/<int:number>/records/<int:member_id>/reverse")
def reverse_record(code: str, number: int, member_id: int):
    group, meeting = meeting_in_scope(code, number)
    member = row(Member, member_id)
    if member is None or member.group_id != group.id:
        out_of_scope()
    if not access.may_correct_meeting(auth.actor(), group, meeting):
        return _page(group, meeting, 403, problem=gettext(CLOSED))
    form = ReasonForm()
    shown = {"reverse": form, "failed": member.id}
    if not form.validate_on_submit() or not once.valid(form.key.data):
        return _page(group, meeting, 400, problem=gettext(GENERIC), **shown)
    if (done := once.saved(form.key.data)) is not None:
        return redirect(done)
    if not corrections.record_entries(db.session(), meeting, member):
        return _page(group, meeting, 422, problem=gettext(MESSAGES["nothing_to_reverse"]))
    result = _done(group, meeting, "reversed")
    reason = clean(form.reason.data, 1000)
    try:
        once.save(
            form.key.data,
            result,
            lambda: corrections.reverse_record(db.session(), meeting, member, reason),
        )
    except LedgerError as exc:
        if exc.field == "reason":
            form.reason.errors = [say(exc)]
            return _page(group, meeting, 422, **shown)
        return _page(group, meeting, 422, problem=say(exc), **shown)
    return redirect(result)


def counted(form: CashCountForm, name: str, currency: str) -> int | None:
    """Cash counted in one bag: 0 or more, exact; None (the field marked) otherwise."""
    box = getattr(form, name)
    raw = (box.data or "").replace(" ", "").replace(",", ".")
    try:
        if not raw:
            raise LedgerError("required", "the cash counted is needed", name)
        number = to_decimal(raw, name, exponent(currency))
        minor = int(number.scaleb(exponent(currency)))
        if not 0 <= minor <= MAX_AMOUNT_MINOR:
            raise LedgerError("out_of_range", "0 or more", name)
    except LedgerError as exc:
        box.errors = [say(exc)]
        return None
    return minor


@bp.post("/groups/<code>/meetings/<int:number>/cash-count")
def cash_count(code: str, number: int):
    group, meeting = meeting_in_scope(code, number)
    form = CashCountForm()
    if not form.validate_on_submit() or not once.valid(form.key.data):
        return _page(group, meeting, 400, problem=gettext(GENERIC), count=form)
    if (done := once.saved(form.key.data)) is not None:
        return redirect(done)
    if meeting.closed_at is not None:  # its form is gone from the page: say so above it
        closed = LedgerError("meeting_closed", "the meeting is closed", "meeting")
        return _page(group, meeting, 422, problem=say(closed))
    loan_fund = counted(form, "loan_fund", group.currency)
    social_fund = counted(form, "social_fund", group.currency)
    if loan_fund is None or social_fund is None:
        return _page(group, meeting, 422, count=form)
    result = _done(group, meeting, "counted")
    try:
        once.save(
            form.key.data,
            result,
            lambda: closing.count_cash(db.session(), meeting, loan_fund, social_fund),
        )
    except LedgerError as exc:
        return _page(group, meeting, 422, problem=say(exc), count=form)
    return redirect(result)


@bp.post("/groups/<code>/meetings/<int:number>/close")
def close_meeting(code: str, number: int):
    group, meeting = meeting_in_scope(code, number)
    form = DayForm()
    if not form.validate_on_submit() or not once.valid(form.key.data):
        return _page(group, meeting, 400, problem=gettext(GENERIC))
    if (done := once.saved(form.key.data)) is not None:
        return redirect(done)
    result = _done(group, meeting, "closed")
    try:
        once.save(form.key.data, result, lambda: closing.close_meeting(db.session(), meeting))
    except LedgerError as exc:
        return _page(group, meeting, 422, problem=say(exc))
    return redirect(result)
