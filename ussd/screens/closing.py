"""The end of a meeting at the officer's desk: the box counted aloud (the loan-fund bag, then
the social-fund bag), the books' figures and the difference shown before the count is
stored (a difference is flagged for the coordinator), then the meeting closed: after it, only
corrections, and each member present gets her SMS."""

from __future__ import annotations

from ledger import closing
from ledger.models import AccountKind
from locales import _
from ussd import keypad
from ussd.context import Context
from ussd.screens.base import (
    CONFIRM,
    AskScreen,
    Back,
    End,
    Go,
    Home,
    Result,
    YesNoScreen,
    join,
    register,
)
from ussd.screens.desk import desk_day, symbol, the_meeting
from ussd.screens.officer import OfficerScreen, officer_group


@register
class DeskCountLoan(OfficerScreen, AskScreen):
    name = "desk_count_loan"

    def prompt(self, ctx: Context) -> str:
        return ctx.t.gettext(
            _("Count the box.\nLoan fund counted, in {currency}:"),
            currency=symbol(officer_group(ctx)),
        )

    def handle(self, ctx: Context, raw: str) -> Result:
        ctx.data["desk_loan_fund"] = counted(ctx, raw)
        if not officer_group(ctx).social_fund_contribution:  # no social fund: nothing to count
            ctx.data["desk_social_fund"] = 0
            return Go("desk_count_confirm")
        return Go("desk_count_social")


def counted(ctx: Context, raw: str) -> int:
    """Cash counted: 0 or an amount."""
    return 0 if raw.strip() == "0" else keypad.amount(raw, officer_group(ctx).currency)


@register
class DeskCountSocial(OfficerScreen, AskScreen):
    name = "desk_count_social"

    def prompt(self, ctx: Context) -> str:
        return ctx.t.gettext(
            _("Social fund counted, in {currency}:"), currency=symbol(officer_group(ctx))
        )

    def handle(self, ctx: Context, raw: str) -> Result:
        ctx.data["desk_social_fund"] = counted(ctx, raw)
        return Go("desk_count_confirm")


@register
class DeskCountConfirm(OfficerScreen):
    """The count against the books; confirming stores it (a difference is flagged)."""

    name = "desk_count_confirm"
    writes = True

    def render(self, ctx: Context) -> str:
        t, group, d = ctx.t, officer_group(ctx), ctx.data
        if group is None or "desk_social_fund" not in d:
            return join(t.gettext(_("Nothing to confirm.")), self.nav(ctx))
        day = desk_day(ctx) or ctx.today()
        books = [
            closing.books_at_end_of(ctx.session, group, kind, day)
            for kind in (AccountKind.LOAN_FUND_CASH, AccountKind.SOCIAL_FUND_CASH)
        ]
        money = lambda minor: t.money(minor, group.currency)  # noqa: E731
        return join(
            t.gettext(
                _("Books: loan fund {books}, social fund {sbooks}.\nDifference: {diff}, {sdiff}"),
                books=money(books[0]),
                sbooks=money(books[1]),
                diff=money(d["desk_loan_fund"] - books[0]),
                sdiff=money(d["desk_social_fund"] - books[1]),
            ),
            t.gettext(CONFIRM),
            self.nav(ctx),
        )

    def handle(self, ctx: Context, raw: str) -> Result:
        group, d = officer_group(ctx), ctx.data
        if group is None or "desk_social_fund" not in d:
            return Home()
        if raw != "1":
            return super().handle(ctx, raw)
        count = closing.count_cash(
            ctx.session, the_meeting(ctx, group), d["desk_loan_fund"], d["desk_social_fund"]
        )
        if not count.agrees:
            ctx.notice(ctx.t.gettext(_("The difference goes to the coordinator.")))
        return Go("desk_close")


@register
class DeskClose(OfficerScreen, YesNoScreen):
    name = "desk_close"
    writes = True

    def question(self, ctx: Context) -> str:
        return ctx.t.gettext(_("Close the meeting? After it, only corrections."))

    def on_yes(self, ctx: Context) -> Result:
        group = officer_group(ctx)
        if group is None:
            return Home()
        closing.close_meeting(ctx.session, the_meeting(ctx, group))
        return End(ctx.t.gettext(_("Meeting closed. Members present get an SMS.")))

    def on_no(self, ctx: Context) -> Result:
        return Back(to="desk_menu")
