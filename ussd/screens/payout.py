"""A buyer (or a coordinator) hands a miner her premium in cash: her phone or member number,
the one-time code from her SMS, and the payout is recorded as paid (``ledger.payouts``). A
wrong code, or another miner's, is refused and counted; a used code pays nothing twice."""

from __future__ import annotations

from ledger import access, payouts
from ledger.authors import Author
from ledger.models import Member
from locales import _
from ussd.context import Context
from ussd.screens.base import AskScreen, End, Stay, join, register, short
from ussd.screens.for_member import FindMember
from ussd.screens.lookup import NOT_FOUND, PickOnPhone

# TRANSLATORS: a buyer's screen: pay a miner her premium in cash; then they type her phone.
PAY_WHOM = _("Pay a premium in cash.\nMiner's phone or member number:")
# TRANSLATORS: {amount} is what the cooperative owes the miner; she shows the code from
# her SMS (6 digits) and the buyer types it.
PAY_CODE = _("{name}\nPremium to pay: {amount}\nType the code from her SMS:")
NOTHING_TO_PAY = _("No premium to pay in cash to {name}.")
WRONG_CODE = _("Wrong code. Ask for the code in her SMS.")
PAY_CODE_DIGITS = _("The code in her SMS is 6 digits.")
# TRANSLATORS: the buyer's last screen: the cash was recorded as handed over.
PAID = _("Paid {amount} to {name}.\nCode used: it will not pay again.")


def cooperative_of(ctx: Context) -> int | None:
    return ctx.member.cooperative_id if ctx.member is not None else None


def in_scope(ctx: Context, target: Member) -> bool:
    return access.may_see_payouts(
        access.for_member(ctx.member), cooperative_of(ctx)
    ) and access.may_name_seller(access.for_member(ctx.member), target)


@register
class PayMember(FindMember):
    name = "pay_member"
    step, after = "pay", "code"

    def prompt(self, ctx: Context) -> str:
        return ctx.t.gettext(PAY_WHOM)

    def in_scope(self, ctx: Context, target: Member) -> bool:
        return in_scope(ctx, target)


@register
class PayPick(PickOnPhone):
    name = "pay_pick"
    phone_key, id_key, next_screen = "pay_phone", "pay_member", "pay_code"

    def _members(self, ctx: Context) -> list[Member]:
        return [m for m in super()._members(ctx) if in_scope(ctx, m)]


@register
class PayCode(AskScreen):
    name = "pay_code"
    writes = True

    def _target(self, ctx: Context) -> Member | None:
        target = ctx.session.get(Member, ctx.data.get("pay_member") or 0)
        return target if target is not None and in_scope(ctx, target) else None

    def _owed(self, ctx: Context, target: Member) -> tuple[int, str] | None:
        waiting = payouts.pending_cash(ctx.session, target, cooperative_of(ctx) or 0)
        if not waiting:
            return None
        return sum(p.amount for p in waiting if p.currency == waiting[0].currency), waiting[
            0
        ].currency

    def prompt(self, ctx: Context) -> str:
        t, target = ctx.t, self._target(ctx)
        owed = self._owed(ctx, target) if target is not None else None
        if target is None or owed is None:
            name = short(target.first_name) if target is not None else ""
            return t.gettext(NOTHING_TO_PAY, name=name)
        return t.gettext(PAY_CODE, name=short(target.name), amount=t.money(*owed))

    def handle(self, ctx: Context, raw: str):
        t, target = ctx.t, self._target(ctx)
        if target is None:
            return Stay(t.gettext(NOT_FOUND))
        code = raw.strip()
        if len(code) != payouts.CASH_CODE_DIGITS or not (code.isascii() and code.isdigit()):
            return Stay(t.gettext(PAY_CODE_DIGITS))
        paid = payouts.redeem_cash(
            ctx.session,
            member=target,
            cooperative_id=cooperative_of(ctx) or 0,
            code=code,
            by=Author("ussd", ctx.member.id),
        )
        if paid is None:
            return Stay(t.gettext(WRONG_CODE))
        amount = t.money(paid.amount, paid.currency)
        return End(join(t.gettext(PAID, amount=amount, name=short(target.first_name))))
