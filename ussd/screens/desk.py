"""The officer's meeting desk (``13``): the rest of a meeting beyond shares, social fund and
repayments (``9``). Pick the meeting (today's, or an open one of the last 7 days), then: a
loan (the screen shows what the member may borrow and what the loan fund holds before the
amount is typed), a fine with its reason, a grant from the social fund, attendance (present,
absent, represented), a correction (everything a member did at that meeting reversed), and
the end of the meeting: the box counted, the books' figures and the difference shown, then
the meeting closed. Every write is confirmed on a screen showing what will be saved."""

from __future__ import annotations

import datetime as dt

from ledger import access, corrections, journal
from ledger.loans import loan_limit
from ledger.meetings import (
    FineReason,
    MeetingRecord,
    mark_attendance,
    open_meeting,
    recent_meetings,
    record_meeting,
)
from ledger.models import AccountKind, Group, Meeting, Member
from ledger.vsla import active_members
from locales import CURRENCY_SYMBOLS, _
from ussd import keypad
from ussd.context import Context
from ussd.screens.base import (
    CONFIRM,
    AskScreen,
    Back,
    Go,
    Home,
    ListScreen,
    Result,
    Stay,
    YesNoScreen,
    join,
    register,
    short,
)
from ussd.screens.member import NOT_IN_GROUP
from ussd.screens.officer import OfficerScreen, officer_group
from ussd.screens.standing import standing

# TRANSLATORS: the officer's meeting desk: which meeting (today's or an open recent one).
WHICH_MEETING = _("Which meeting?")
# TRANSLATORS: today's meeting is closed and no other of the last 7 days is open.
NO_OPEN_MEETING = _("No open meeting in the last 7 days.")
# TRANSLATORS: the desk's menu title; {date} is the meeting's day.
DESK_TITLE = _("Meeting {date}")
#: The desk's actions: key, label, what comes next.
ACTIONS = [
    ("1", _("Loan"), "loan"),
    ("2", _("Fine"), "fine"),
    ("3", _("Grant"), "grant"),
    ("4", _("Attendance"), "attend"),
    ("5", _("Correct a record"), "reverse"),
    ("6", _("Count the box, close"), "count"),
    ("7", _("Group expense"), "expense"),
    ("8", _("New member"), "join"),
]
FINE_REASONS = [
    ("1", _("Late"), FineReason.LATE),
    ("2", _("Missed meeting"), FineReason.ABSENT),
    ("3", _("Disorder"), FineReason.DISORDER),
    ("4", _("Other"), FineReason.OTHER),
]
ATTENDANCE = [
    ("1", _("Present"), (True, False)),
    ("2", _("Absent"), (False, False)),
    ("3", _("Represented"), (False, True)),
]
#: Values the desk collects; cleared when a member is picked.
FIELDS = ("desk_amount", "desk_term", "desk_reason", "desk_loan_fund", "desk_social_fund")


def desk_day(ctx: Context) -> dt.date | None:
    value = ctx.data.get("desk_day")
    return dt.date.fromisoformat(value) if value else None


def desk_member(ctx: Context) -> Member | None:
    member = ctx.session.get(Member, ctx.data.get("desk_member") or 0)
    group = officer_group(ctx)
    return member if member is not None and group and member.group_id == group.id else None


def the_meeting(ctx: Context, group: Group) -> Meeting:
    """The desk's meeting, opened on first use (today's may not be yet)."""
    return open_meeting(ctx.session, group, desk_day(ctx))


def symbol(group: Group) -> str:
    return CURRENCY_SYMBOLS.get(group.currency, group.currency)


@register
class DeskMeeting(OfficerScreen, ListScreen):
    name = "desk_meeting"
    needs_pin = True

    def _days(self, ctx: Context) -> list[dt.date]:
        group = officer_group(ctx)
        if group is None:
            return []
        today = ctx.today()
        days = [today] + [
            m.held_on for m in recent_meetings(ctx.session, group, today) if m.held_on != today
        ]
        closed = [m.held_on for m in closed_today(ctx, group)]
        return [d for d in days if d not in closed]

    def title(self, ctx: Context) -> str:
        return ctx.t.gettext(WHICH_MEETING)

    def empty(self, ctx: Context) -> str:
        if officer_group(ctx) is None:
            return ctx.t.gettext(NOT_IN_GROUP)
        return ctx.t.gettext(NO_OPEN_MEETING)

    def rows(self, ctx: Context) -> list[tuple[str, str]]:
        return [(str(i), ctx.t.date(d)) for i, d in enumerate(self._days(ctx), 1)]

    def choose(self, ctx: Context, key: str) -> Result:
        ctx.data["desk_day"] = self._days(ctx)[int(key) - 1].isoformat()
        return Go("desk_menu")


def closed_today(ctx: Context, group: Group) -> list[Meeting]:
    meeting = ctx.session.query(Meeting).filter_by(group_id=group.id, held_on=ctx.today()).first()
    return [meeting] if meeting is not None and meeting.closed_at is not None else []


@register
class DeskMenu(OfficerScreen, ListScreen):
    name = "desk_menu"

    def title(self, ctx: Context) -> str:
        return ctx.t.gettext(DESK_TITLE, date=ctx.t.date(desk_day(ctx) or ctx.today()))

    def rows(self, ctx: Context) -> list[tuple[str, str]]:
        return [(key, ctx.t.gettext(label)) for key, label, _next in ACTIONS]

    def choose(self, ctx: Context, key: str) -> Result:
        action = next(a for k, _label, a in ACTIONS if k == key)
        ctx.data["desk_action"] = action
        if action == "join":
            return Go("desk_join_name")
        if action in ("count", "expense"):
            return Go({"count": "desk_count_loan", "expense": "desk_expense"}[action])
        return Go("desk_member")


@register
class DeskMember(OfficerScreen, ListScreen):
    name = "desk_member"

    def _members(self, ctx: Context) -> list[Member]:
        group = officer_group(ctx)
        return active_members(ctx.session, group) if group else []

    def title(self, ctx: Context) -> str:
        action = ctx.data.get("desk_action")
        label = next((label for _k, label, a in ACTIONS if a == action), ACTIONS[0][1])
        return ctx.t.gettext(label)

    def rows(self, ctx: Context) -> list[tuple[str, str]]:
        return [(str(i), short(m.name)) for i, m in enumerate(self._members(ctx), 1)]

    def choose(self, ctx: Context, key: str) -> Result:
        ctx.data["desk_member"] = self._members(ctx)[int(key) - 1].id
        for field in FIELDS:
            ctx.data.pop(field, None)
        action = ctx.data.get("desk_action")
        return Go(
            {
                "loan": "desk_loan_amount",
                "fine": "desk_fine_reason",
                "grant": "desk_grant_amount",
                "attend": "desk_attend",
            }.get(action, "desk_reverse")
        )


class DeskAmount(OfficerScreen, AskScreen):
    """An amount typed for the chosen member, then the next screen."""

    after = "desk_confirm"
    field = "amount"

    def handle(self, ctx: Context, raw: str) -> Result:
        group = officer_group(ctx)
        if group is None or desk_member(ctx) is None:
            return Home()
        ctx.data["desk_amount"] = keypad.amount(raw, group.currency, self.field)
        return Go(self.after)


@register
class DeskLoanAmount(DeskAmount):
    name = "desk_loan_amount"
    after = "desk_loan_term"
    field = "loan"

    def prompt(self, ctx: Context) -> str:
        t, group, member = ctx.t, officer_group(ctx), desk_member(ctx)
        cash = journal.balance(
            ctx.session, AccountKind.LOAN_FUND_CASH, group.currency, group_id=group.id
        )
        return t.gettext(
            _("{name} may borrow {cap}. Loan fund: {cash}.\nLoan in {currency}:"),
            name=short(member.first_name),
            cap=t.money(loan_limit(ctx.session, group, member), group.currency),
            cash=t.money(cash, group.currency),
            currency=symbol(group),
        )


@register
class DeskLoanTerm(OfficerScreen, AskScreen):
    name = "desk_loan_term"

    def prompt(self, ctx: Context) -> str:
        group = officer_group(ctx)
        return ctx.t.gettext(_("Months to repay (1-{max}):"), max=group.max_loan_term_months)

    def handle(self, ctx: Context, raw: str) -> Result:
        group = officer_group(ctx)
        months = keypad.whole(raw, 1, group.max_loan_term_months)
        if months is None:
            return Stay(ctx.t.gettext(_("Type 1 to {max}."), max=group.max_loan_term_months))
        ctx.data["desk_term"] = months
        return Go("desk_confirm")


@register
class DeskFineReason(OfficerScreen, ListScreen):
    name = "desk_fine_reason"

    def title(self, ctx: Context) -> str:
        return ctx.t.gettext(_("Fine for:"))

    def rows(self, ctx: Context) -> list[tuple[str, str]]:
        return [(key, ctx.t.gettext(label)) for key, label, _reason in FINE_REASONS]

    def choose(self, ctx: Context, key: str) -> Result:
        ctx.data["desk_reason"] = next(r.value for k, _label, r in FINE_REASONS if k == key)
        return Go("desk_fine_amount")


@register
class DeskFineAmount(DeskAmount):
    name = "desk_fine_amount"
    field = "fine"

    def prompt(self, ctx: Context) -> str:
        return ctx.t.gettext(_("Fine in {currency}:"), currency=symbol(officer_group(ctx)))


@register
class DeskGrantAmount(DeskAmount):
    name = "desk_grant_amount"
    field = "grant"

    def prompt(self, ctx: Context) -> str:
        t, group = ctx.t, officer_group(ctx)
        cash = journal.balance(
            ctx.session, AccountKind.SOCIAL_FUND_CASH, group.currency, group_id=group.id
        )
        return t.gettext(
            _("Social fund: {cash}.\nGrant in {currency}:"),
            cash=t.money(cash, group.currency),
            currency=symbol(group),
        )


@register
class DeskConfirm(OfficerScreen):
    """What will be saved for the member, with the total, before anything is written."""

    name = "desk_confirm"
    writes = True

    def render(self, ctx: Context) -> str:
        t, group, member, d = ctx.t, officer_group(ctx), desk_member(ctx), ctx.data
        if group is None or member is None or not d.get("desk_amount"):
            return join(t.gettext(_("Nothing to confirm.")), self.nav(ctx))
        money = t.money(d["desk_amount"], group.currency)
        action = d.get("desk_action")
        if action == "loan":
            line = t.gettext(
                _("Loan {amount} for {months} months"), amount=money, months=d.get("desk_term")
            )
        elif action == "fine":
            reason = next(
                (label for _k, label, r in FINE_REASONS if r.value == d.get("desk_reason")),
                FINE_REASONS[-1][1],
            )
            line = t.gettext(_("Fine {amount}: {reason}"), amount=money, reason=t.gettext(reason))
        else:
            line = t.gettext(_("Grant {amount} from the social fund"), amount=money)
        day = desk_day(ctx) or ctx.today()
        return join(
            short(member.name), line, standing(ctx, group, member, day), t.gettext(CONFIRM),
            self.nav(ctx),
        )  # fmt: skip

    def handle(self, ctx: Context, raw: str) -> Result:
        group, member, d = officer_group(ctx), desk_member(ctx), ctx.data
        if group is None or member is None or not d.get("desk_amount"):
            return Home()
        if raw != "1":
            return super().handle(ctx, raw)
        action, amount = d.get("desk_action"), d["desk_amount"]
        record = MeetingRecord(member=member)
        if action == "loan":
            record.loan, record.loan_term_months = amount, d.get("desk_term")
        elif action == "fine":
            record.fine, record.fine_reason = amount, d.get("desk_reason") or "other"
        else:
            record.grant = amount
        record_meeting(ctx.session, group, desk_day(ctx), [member], [record])
        for field in FIELDS:
            d.pop(field, None)
        ctx.notice(t_saved(ctx, member))
        return Back(to="desk_menu")


def t_saved(ctx: Context, member: Member) -> str:
    return ctx.t.gettext(_("Saved for {name}."), name=short(member.first_name))


@register
class DeskAttend(OfficerScreen, ListScreen):
    name = "desk_attend"
    writes = True

    def title(self, ctx: Context) -> str:
        member = desk_member(ctx)
        return short(member.name) if member else ""

    def rows(self, ctx: Context) -> list[tuple[str, str]]:
        return [(key, ctx.t.gettext(label)) for key, label, _value in ATTENDANCE]

    def choose(self, ctx: Context, key: str) -> Result:
        group, member = officer_group(ctx), desk_member(ctx)
        if group is None or member is None:
            return Home()
        present, represented = next(v for k, _label, v in ATTENDANCE if k == key)
        mark_attendance(ctx.session, the_meeting(ctx, group), member, present, represented)
        ctx.notice(t_saved(ctx, member))
        return Back(to="desk_menu")


@register
class DeskReverse(OfficerScreen, YesNoScreen):
    """The officer reverses a member's record of an open meeting (reversing entries)."""

    name = "desk_reverse"
    writes = True

    def question(self, ctx: Context) -> str:
        member = desk_member(ctx)
        return ctx.t.gettext(
            _("Cancel everything {name} did at the meeting of {date}?"),
            name=short(member.first_name) if member else "",
            date=ctx.t.date(desk_day(ctx) or ctx.today()),
        )

    def on_yes(self, ctx: Context) -> Result:
        group, member = officer_group(ctx), desk_member(ctx)
        if group is None or member is None:
            return Home()
        meeting = the_meeting(ctx, group)
        if not access.may_correct_meeting(access.for_member(ctx.member), group, meeting):
            return Home()
        corrections.reverse_record(ctx.session, meeting, member, "corrected by the officer (USSD)")
        ctx.notice(ctx.t.gettext(_("Cancelled. Record it again.")))
        return Back(to="desk_menu")

    def on_no(self, ctx: Context) -> Result:
        return Back(to="desk_menu")
