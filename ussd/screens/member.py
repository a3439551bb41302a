"""What every member can read: savings, loan, gold prices, sales, next meeting."""

from __future__ import annotations

from ledger import gold, statement, vsla
from ledger.loans import loans_as_of
from ledger.models import Group, LoanStatus, Member
from ledger.premiums.received import received
from locales import _
from ussd.context import Context
from ussd.defaults import READ_ONLY_RESERVE_CHARS, RECENT_SALES
from ussd.screens.base import InfoScreen, ListScreen, join, register, short

NOT_IN_GROUP = _("You are not in a savings group.")
# TRANSLATORS: one premium in "My sales": extra money for her gold, paid weeks after the
# sale; {status} is "paid", "to collect" or "kept for next".
PREMIUM_ROW = _("{date} premium {amount}\n{status}")
#: A premium's status as the miner reads it.
PREMIUM_STATUS = {
    # TRANSLATORS: a premium's status: handed over (cash or mobile money).
    "paid": _("paid"),
    # TRANSLATORS: a premium's status: approved, not yet handed over.
    "to_collect": _("to collect"),
    # TRANSLATORS: a premium's status: below the smallest payout, added to the next premium.
    "carried": _("kept for next"),
}
# TRANSLATORS: one sale in "My sales"; the second line is the receipt number.
SALE = _("{date} {weight} {total}\n{receipt}")
#: Loan statuses as a member reads them.
LOAN_STATUS = {
    # TRANSLATORS: a loan's status: its pay-by date has not passed yet. Say "on time", never
    # "fine" or "settled": the loan is still owed.
    LoanStatus.OPEN: _("on time"),
    # TRANSLATORS: a loan's status: not repaid by its pay-by date. Say "late", never a word
    # that also means "passed" or "done".
    LoanStatus.OVERDUE: _("overdue"),
}
# TRANSLATORS: one loan. "Charge" is the monthly service charge the borrower pays the group
# (the glossary's "charge"): a cost, never a gain. "Pay by" is a date; {status} is "on time"
# or "overdue".
LOAN = _("Loan {principal}\nCharge: {charge}\nPaid: {paid}\nOwes: {owed}\nPay by: {due} ({status})")
# TRANSLATORS: {day} is the date, after the weekday's name in the languages whose weekday
# names members read one way only ("mercredi 03/12/2026"; "03/12/2026" in sw and ln).
NEXT_MEETING = _("Next meeting of {group}:\n{day} at {time}")


def group_of(ctx: Context, member: Member) -> Group | None:
    return ctx.session.get(Group, member.group_id) if member.group_id else None


def cooperative_id_of(ctx: Context, member: Member) -> int | None:
    if member.cooperative_id:
        return member.cooperative_id
    group = group_of(ctx, member)
    return group.cooperative_id if group else None


@register
class Savings(InfoScreen):
    name = "savings"
    needs_pin = True

    def body(self, ctx: Context) -> str:
        t = ctx.t
        mine = statement.savings(ctx.session, ctx.member)
        if mine is None:
            return t.gettext(NOT_IN_GROUP)
        currency = mine["currency"]
        return t.gettext(
            _("{group}\nShares: {shares}\nSavings: {savings}\nSocial fund: {social}"),
            group=short(mine["group_name"], 24),
            shares=t.number(mine["shares"]),
            savings=t.money(mine["savings"], currency),
            social=t.money(mine["social_fund"], currency),
        )


@register
class Loan(ListScreen):
    name = "loan"
    needs_pin = True
    numbered = False
    reserve = READ_ONLY_RESERVE_CHARS

    def title(self, ctx: Context) -> str:
        """None above the loans, which each open with the word for loan: their room goes to
        words that say what is owed and by when."""
        return ""

    def empty(self, ctx: Context) -> str:
        heading = ctx.t.gettext(_("My loan"))
        if group_of(ctx, ctx.member) is None:
            return join(heading, ctx.t.gettext(NOT_IN_GROUP))
        return join(heading, ctx.t.gettext(_("You have no loan.")))

    def rows(self, ctx: Context) -> list[tuple[str, str]]:
        t, member = ctx.t, ctx.member
        group = group_of(ctx, member)
        if group is None:
            return []
        money = lambda minor: t.money(minor, group.currency)  # noqa: E731
        return [
            (
                "",
                t.gettext(
                    LOAN,
                    principal=money(loan.principal),
                    charge=money(loan.charged),
                    paid=money(loan.paid),
                    owed=money(loan.outstanding),
                    due=t.date(loan.due_on),
                    status=t.gettext(
                        LOAN_STATUS[LoanStatus.OVERDUE if loan.overdue else LoanStatus.OPEN]
                    ),
                ),
            )
            for loan in loans_as_of(ctx.session, member, ctx.today())
        ]


@register
class Prices(InfoScreen):
    """The latest posted price; no PIN (it is public, and read most)."""

    name = "prices"

    def body(self, ctx: Context) -> str:
        t = ctx.t
        post = gold.latest_price(ctx.session, cooperative_id_of(ctx, ctx.member))
        if post is None:
            return t.gettext(_("No gold price posted yet."))
        lines = [
            t.gettext(_("Gold price, {cooperative}:"), cooperative=short(post.cooperative.name)),
            t.gettext(_("{price} per gram"), price=t.money(post.usd_per_gram, "USD")),
        ]
        if post.cdf_per_gram:
            lines.append(t.gettext(_("{price} per gram"), price=t.money(post.cdf_per_gram, "CDF")))
        lines.append(
            t.gettext(
                _("Posted {date} {time}"), date=t.date(post.posted_at), time=t.time(post.posted_at)
            )
        )
        return "\n".join(lines)


@register
class Sales(ListScreen):
    name = "sales"
    needs_pin = True
    numbered = False
    reserve = READ_ONLY_RESERVE_CHARS

    def title(self, ctx: Context) -> str:
        return ctx.t.gettext(_("My sales"))

    def empty(self, ctx: Context) -> str:
        return ctx.t.gettext(_("No sales yet."))

    def rows(self, ctx: Context) -> list[tuple[str, str]]:
        """Her sales and the premiums she received for them, newest first."""
        t = ctx.t
        dated = [
            (
                p.purchased_at,
                t.gettext(
                    SALE,
                    date=t.date(p.purchased_at),
                    weight=t.grams(p.weight_mg),
                    total=t.money(p.total, p.currency),
                    receipt=p.receipt_number,
                ),
            )
            for p in gold.recent_purchases(ctx.session, ctx.member, RECENT_SALES)
        ]
        dated += [
            (
                r.approved_at,
                t.gettext(
                    PREMIUM_ROW,
                    date=t.date(r.approved_at),
                    amount=t.money(r.amount, r.currency),
                    status=t.gettext(PREMIUM_STATUS[r.status]),
                ),
            )
            for r in received(ctx.session, ctx.member, RECENT_SALES)
        ]
        dated.sort(key=lambda row: row[0], reverse=True)
        return [("", text) for _, text in dated[:RECENT_SALES]]


@register
class NextMeeting(InfoScreen):
    name = "meeting"

    def body(self, ctx: Context) -> str:
        t = ctx.t
        group = group_of(ctx, ctx.member)
        if group is None:
            return t.gettext(NOT_IN_GROUP)
        when = vsla.next_meeting(group, t.local(ctx.now))
        return t.gettext(
            NEXT_MEETING,
            group=short(group.name, 24),
            day=t.day(when.date()),
            time=t.time(when.time()),
        )
