"""The group's own expenses at the officer's desk (``13`` 7): what it was for (stationery, a
box or padlock, something else), the amount, then confirm: paid from the loan fund on the
meeting's day, refused when the loan fund does not hold it."""

from __future__ import annotations

from ledger.vsla import record_expense
from locales import _
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
    join,
    register,
)
from ussd.screens.desk import desk_day, symbol
from ussd.screens.officer import OfficerScreen, officer_group

#: What an expense is for: key, label, the memo kept in the books (English, for the auditor).
PURPOSES = [
    ("1", _("Stationery"), "stationery"),
    ("2", _("Box or padlock"), "box or padlock"),
    ("3", _("Other"), "other"),
]


def purpose(ctx: Context) -> tuple[str, str, str]:
    key = ctx.data.get("desk_purpose")
    return next((p for p in PURPOSES if p[0] == key), PURPOSES[-1])


@register
class DeskExpense(OfficerScreen, ListScreen):
    name = "desk_expense"

    def title(self, ctx: Context) -> str:
        return ctx.t.gettext(_("Expense for:"))

    def rows(self, ctx: Context) -> list[tuple[str, str]]:
        return [(key, ctx.t.gettext(label)) for key, label, _memo in PURPOSES]

    def choose(self, ctx: Context, key: str) -> Result:
        ctx.data["desk_purpose"] = key
        ctx.data.pop("desk_expense", None)
        return Go("desk_expense_amount")


@register
class DeskExpenseAmount(OfficerScreen, AskScreen):
    name = "desk_expense_amount"

    def prompt(self, ctx: Context) -> str:
        return ctx.t.gettext(_("Expense in {currency}:"), currency=symbol(officer_group(ctx)))

    def handle(self, ctx: Context, raw: str) -> Result:
        group = officer_group(ctx)
        if group is None:
            return Home()
        ctx.data["desk_expense"] = keypad.amount(raw, group.currency, "expense")
        return Go("desk_expense_confirm")


@register
class DeskExpenseConfirm(OfficerScreen):
    name = "desk_expense_confirm"
    writes = True

    def render(self, ctx: Context) -> str:
        t, group, d = ctx.t, officer_group(ctx), ctx.data
        if group is None or not d.get("desk_expense"):
            return join(t.gettext(_("Nothing to confirm.")), self.nav(ctx))
        return join(
            t.gettext(
                _("Expense {amount} from the loan fund: {purpose}"),
                amount=t.money(d["desk_expense"], group.currency),
                purpose=t.gettext(purpose(ctx)[1]),
            ),
            t.gettext(CONFIRM),
            self.nav(ctx),
        )

    def handle(self, ctx: Context, raw: str) -> Result:
        d, group = ctx.data, officer_group(ctx)
        if group is None or not d.get("desk_expense"):
            return Home()
        if raw != "1":
            return super().handle(ctx, raw)
        record_expense(ctx.session, group, d.pop("desk_expense"), desk_day(ctx), purpose(ctx)[2])
        ctx.notice(ctx.t.gettext(_("Saved.")))
        return Back(to="desk_menu")
