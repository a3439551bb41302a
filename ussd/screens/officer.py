"""A group officer records today's meeting member by member: who, shares, social fund,
repayment, confirm. Each confirmation is one ``record_meeting`` call for one member, which
the books allow several times a day; they refuse what breaks a rule (a sixth share, a
repayment above what is owed) and the refusal is shown on the screen."""

from __future__ import annotations

from ledger.loans import loans_as_of, open_loans
from ledger.meetings import MeetingRecord, present_at, record_meeting
from ledger.models import Attendance, Group, Member
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
    Screen,
    Stay,
    YesNoScreen,
    join,
    register,
    short,
)
from ussd.screens.member import NOT_IN_GROUP
from ussd.screens.standing import standing

# TRANSLATORS: a yes that leads on to typing a repayment; start it with your word for "Yes".
YES_AMOUNT = _("Yes, type the amount")
# TRANSLATORS: a member marked "+" has already been recorded today.
WHO_TODAY = _("Meeting {date}, who? (+ done)")


def officer_group(ctx: Context) -> Group | None:
    member = ctx.member
    return ctx.session.get(Group, member.group_id) if member.group_id else None


def today_attendance(ctx: Context, group: Group) -> dict[int, Attendance]:
    """Who has been recorded at today's meeting so far (present), by member id."""
    return present_at(ctx.session, group, ctx.today())


def chosen(ctx: Context) -> Member | None:
    return ctx.session.get(Member, ctx.data.get("meet_member") or 0)


class OfficerScreen(Screen):
    def currency(self, ctx: Context) -> str | None:
        group = officer_group(ctx)
        return group.currency if group else None


@register
class MeetMember(OfficerScreen, ListScreen):
    name = "meet_member"
    needs_pin = True

    def _members(self, ctx: Context, group: Group) -> list[Member]:
        return active_members(ctx.session, group)

    def title(self, ctx: Context) -> str:
        return ctx.t.gettext(WHO_TODAY, date=ctx.t.date(ctx.today()))

    def empty(self, ctx: Context) -> str:
        return ctx.t.gettext(NOT_IN_GROUP)

    def rows(self, ctx: Context) -> list[tuple[str, str]]:
        group = officer_group(ctx)
        if group is None:
            return []
        done = today_attendance(ctx, group)
        return [
            (str(i), short(m.name) + (" +" if m.id in done else ""))
            for i, m in enumerate(self._members(ctx, group), 1)
        ]

    def choose(self, ctx: Context, key: str) -> Result:
        member = self._members(ctx, officer_group(ctx))[int(key) - 1]
        for field in ("meet_shares", "meet_social", "meet_repay"):
            ctx.data.pop(field, None)
        ctx.data["meet_member"] = member.id
        return Go("meet_shares")


@register
class MeetShares(OfficerScreen, AskScreen):
    name = "meet_shares"

    def prompt(self, ctx: Context) -> str:
        t, group, member = ctx.t, officer_group(ctx), chosen(ctx)
        if group is None or member is None:
            return t.gettext(NOT_IN_GROUP)
        bought = today_attendance(ctx, group).get(member.id)
        already = None
        if bought is not None and bought.shares:
            already = t.gettext(_("Already today: {n}"), n=bought.shares)
        return join(
            t.gettext(
                _("{name}\nShares (1-{max}) at {value}:"),
                name=short(member.name),
                max=group.max_shares,
                value=t.money(group.share_value, group.currency),
            ),
            standing(ctx, group, member, ctx.today()),
            already,
        )

    def handle(self, ctx: Context, raw: str) -> Result:
        group = officer_group(ctx)
        if group is None or chosen(ctx) is None:
            return Home()
        shares = keypad.whole(raw, 1, group.max_shares)
        if shares is None:
            return Stay(ctx.t.gettext(_("Type 1 to {max}."), max=group.max_shares))
        ctx.data["meet_shares"] = shares
        if group.social_fund_contribution:
            return Go("meet_social")
        ctx.data["meet_social"] = False
        return after_social(ctx)


def after_social(ctx: Context) -> Result:
    if open_loans(ctx.session, chosen(ctx)):
        return Go("meet_repay")
    ctx.data["meet_repay"] = 0
    return Go("meet_confirm")


@register
class MeetSocial(OfficerScreen, YesNoScreen):
    name = "meet_social"

    def question(self, ctx: Context) -> str:
        group = officer_group(ctx)
        amount = ctx.t.money(group.social_fund_contribution, group.currency) if group else ""
        return ctx.t.gettext(_("Social fund {amount}?"), amount=amount)

    def on_yes(self, ctx: Context) -> Result:
        ctx.data["meet_social"] = True
        return after_social(ctx)

    def on_no(self, ctx: Context) -> Result:
        ctx.data["meet_social"] = False
        return after_social(ctx)


@register
class MeetRepay(OfficerScreen, YesNoScreen):
    name = "meet_repay"
    yes = YES_AMOUNT

    def question(self, ctx: Context) -> str:
        t, group, member = ctx.t, officer_group(ctx), chosen(ctx)
        owed = sum(loan.outstanding for loan in loans_as_of(ctx.session, member, ctx.today()))
        return t.gettext(
            _("{name} owes {owed}.\nRepayment today?"),
            name=short(member.first_name),
            owed=t.money(owed, group.currency),
        )

    def on_yes(self, ctx: Context) -> Result:
        return Go("meet_repay_amount")

    def on_no(self, ctx: Context) -> Result:
        ctx.data["meet_repay"] = 0
        return Go("meet_confirm")


@register
class MeetRepayAmount(OfficerScreen, AskScreen):
    name = "meet_repay_amount"

    def prompt(self, ctx: Context) -> str:
        group = officer_group(ctx)
        symbol = CURRENCY_SYMBOLS.get(group.currency, group.currency) if group else ""
        return ctx.t.gettext(_("Repayment in {currency}:"), currency=symbol)

    def handle(self, ctx: Context, raw: str) -> Result:
        group = officer_group(ctx)
        if group is None:
            return Home()
        ctx.data["meet_repay"] = keypad.amount(raw, group.currency, "repayment")
        return Go("meet_confirm")


@register
class MeetConfirm(OfficerScreen):
    name = "meet_confirm"
    writes = True

    def render(self, ctx: Context) -> str:
        t, group, member, d = ctx.t, officer_group(ctx), chosen(ctx), ctx.data
        if group is None or member is None or "meet_shares" not in d:
            return join(t.gettext(_("Nothing to confirm.")), self.nav(ctx))
        shares_value = d["meet_shares"] * group.share_value
        social = group.social_fund_contribution if d.get("meet_social") else 0
        repay = d.get("meet_repay") or 0
        money = lambda minor: t.money(minor, group.currency)  # noqa: E731
        return join(
            t.gettext(
                _(
                    "{name}\nShares: {shares} = {value}\nSocial: {social}\n"
                    "Repaid: {repaid}\nTotal: {total}"
                ),
                name=short(member.name),
                shares=d["meet_shares"],
                value=money(shares_value),
                social=money(social),
                repaid=money(repay),
                total=money(shares_value + social + repay),
            ),
            t.gettext(CONFIRM),
            self.nav(ctx),
        )

    def handle(self, ctx: Context, raw: str) -> Result:
        group, member, d = officer_group(ctx), chosen(ctx), ctx.data
        if group is None or member is None or "meet_shares" not in d:
            return Home()
        if raw != "1":
            return super().handle(ctx, raw)
        record = MeetingRecord(
            member=member,
            shares=d["meet_shares"],
            social_fund=group.social_fund_contribution if d.get("meet_social") else 0,
            repayment=d.get("meet_repay") or 0,
        )
        record_meeting(ctx.session, group, ctx.today(), [member], [record])
        for field in ("meet_member", "meet_shares", "meet_social", "meet_repay"):
            d.pop(field, None)
        ctx.notice(ctx.t.gettext(_("Saved for {name}."), name=short(member.first_name)))
        return Back(to="meet_member")
