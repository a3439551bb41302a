"""A cooperative buyer records a gold purchase: miner, site, weight, price, confirm.

Prices are in US dollars per gram, as posted in Bunia. The miner's SMS receipt is written
by the SMS layer when the books announce the purchase (``ledger.events``).
"""

from __future__ import annotations

from decimal import Decimal

from ledger import access, gold, units
from ledger.evidence import flags
from ledger.models import Cooperative, Member, PayoutMethod, Site
from locales import _
from ussd import keypad
from ussd.context import Context
from ussd.screens.base import (
    CONFIRM,
    AskScreen,
    End,
    Go,
    Home,
    ListScreen,
    Result,
    Screen,
    Stay,
    join,
    register,
    short,
)
from ussd.screens.lookup import NOT_FOUND, PickOnPhone, find

CURRENCY = "USD"
NO_COOPERATIVE = _("You are not attached to a cooperative.")
# TRANSLATORS: '#' is the decimal point on a phone keypad: 12#5 means 12.5 grams.
ASK_WEIGHT = _("Weight in grams:\n(12#5 = 12.5 g)")


def cooperative(ctx: Context) -> Cooperative | None:
    coop_id = ctx.member.cooperative_id
    return ctx.session.get(Cooperative, coop_id) if coop_id else None


def open_sites(ctx: Context, coop: Cooperative) -> list[Site]:
    """The cooperative's sites a buyer may buy from (red sites are refused by the books)."""
    return gold.sites_open_for_purchase(ctx.session, coop.id)


def may_sell(ctx: Context, miner: Member) -> bool:
    """A buyer buys only from members of their own cooperative."""
    return access.may_name_seller(access.for_member(ctx.member), miner)


class BuyerScreen(Screen):
    def currency(self, ctx: Context) -> str | None:
        return CURRENCY


@register
class BuyMiner(BuyerScreen, AskScreen):
    name = "buy_miner"
    needs_pin = True

    def prompt(self, ctx: Context) -> str:
        if cooperative(ctx) is None:
            return ctx.t.gettext(NO_COOPERATIVE)
        return ctx.t.gettext(_("Buy gold.\nMiner's phone or member number:"))

    def handle(self, ctx: Context, raw: str) -> Result:
        if cooperative(ctx) is None:
            return Stay(ctx.t.gettext(NO_COOPERATIVE))
        phone, found = find(ctx, raw)
        found = [m for m in found if may_sell(ctx, m)]
        if not found:
            return Stay(ctx.t.gettext(NOT_FOUND))
        if len(found) > 1:
            ctx.data["buy_phone"] = phone
            return Go("buy_pick")
        ctx.data["buy_miner"] = found[0].id
        return Go("buy_site")


@register
class BuyPick(PickOnPhone):
    name = "buy_pick"
    phone_key, id_key, next_screen = "buy_phone", "buy_miner", "buy_site"

    def _members(self, ctx: Context) -> list[Member]:
        return [m for m in super()._members(ctx) if may_sell(ctx, m)]


@register
class BuySite(BuyerScreen, ListScreen):
    name = "buy_site"

    def _sites(self, ctx: Context) -> list[Site]:
        coop = cooperative(ctx)
        return open_sites(ctx, coop) if coop else []

    def title(self, ctx: Context) -> str:
        return ctx.t.gettext(_("Site of the gold:"))

    def empty(self, ctx: Context) -> str:
        return ctx.t.gettext(_("No site open for purchases."))

    def rows(self, ctx: Context) -> list[tuple[str, str]]:
        return [(str(i), short(site.name)) for i, site in enumerate(self._sites(ctx), 1)]

    def choose(self, ctx: Context, key: str) -> Result:
        ctx.data["buy_site"] = self._sites(ctx)[int(key) - 1].id
        return Go("buy_weight")


@register
class BuyWeight(BuyerScreen, AskScreen):
    name = "buy_weight"

    def prompt(self, ctx: Context) -> str:
        return ctx.t.gettext(ASK_WEIGHT)

    def handle(self, ctx: Context, raw: str) -> Result:
        ctx.data["buy_weight"] = keypad.grams(raw)
        return Go("buy_fineness")


# TRANSLATORS: an optional step of a purchase: the gold's fineness in thousandths (925 means
# 92.5 % gold), as an assay or the buyer's test gives it. '#' is the decimal point on a
# keypad. Keep the "1": it goes on without a fineness (the lot record then says unknown).
ASK_FINENESS = _("Fineness in thousandths:\n(925 or 0#925)\n1 Skip: not known")
# TRANSLATORS: a line of the purchase's confirmation: the fineness in thousandths.
FINENESS_LINE = _("Fineness {fineness}/1000")


@register
class BuyFineness(BuyerScreen, AskScreen):
    """The gold's fineness when the buyer knows it; "1" goes on without one."""

    name = "buy_fineness"

    def prompt(self, ctx: Context) -> str:
        return ctx.t.gettext(ASK_FINENESS)

    def handle(self, ctx: Context, raw: str) -> Result:
        ctx.data["buy_fineness"] = None if raw.strip() == "1" else keypad.fineness(raw)
        return Go("buy_price")


@register
class BuyPrice(BuyerScreen, AskScreen):
    name = "buy_price"

    def _posted(self, ctx: Context) -> int | None:
        coop = cooperative(ctx)
        post = gold.latest_price(ctx.session, coop.id if coop else None)
        return post.usd_per_gram if post else None

    def prompt(self, ctx: Context) -> str:
        t = ctx.t
        posted = self._posted(ctx)
        if posted is None:
            return t.gettext(_("Price per gram in $:"))
        return t.gettext(
            _("Price per gram in $:\n1 Posted price {price}\nor type the price"),
            price=t.money(posted, CURRENCY),
        )

    def handle(self, ctx: Context, raw: str) -> Result:
        posted = self._posted(ctx)
        if raw == "1" and posted is not None:
            ctx.data["buy_price"] = posted
        else:
            ctx.data["buy_price"] = keypad.price_per_gram(raw, CURRENCY)
        return Go("buy_confirm")


# TRANSLATORS: the second way to confirm a purchase: the miner is paid by mobile money to
# her phone instead of cash at the counter. Keep the "3" (2 is always "No").
CONFIRM_MOBILE = _("3 Paid by mobile money")


@register
class BuyConfirm(BuyerScreen):
    name = "buy_confirm"
    writes = True

    @staticmethod
    def _fineness(ctx: Context) -> int | None:
        value = ctx.data.get("buy_fineness")
        return value if isinstance(value, int) and 0 < value <= units.PPM else None

    def _values(self, ctx: Context) -> tuple[Member, Site, int, int] | None:
        d = ctx.data
        miner = ctx.session.get(Member, d.get("buy_miner") or 0)
        site = ctx.session.get(Site, d.get("buy_site") or 0)
        if miner is None or site is None or not d.get("buy_weight") or not d.get("buy_price"):
            return None
        if not may_sell(ctx, miner) or not access.may_buy_at(access.for_member(ctx.member), site):
            return None
        return miner, site, d["buy_weight"], d["buy_price"]

    def render(self, ctx: Context) -> str:
        t = ctx.t
        values = self._values(ctx)
        if values is None:
            return join(t.gettext(_("Nothing to confirm.")), self.nav(ctx))
        miner, site, weight, price = values
        fineness = self._fineness(ctx)
        return join(
            t.gettext(
                _("{miner}\n{site}\n{weight} x {price}/g\nTotal: {total}"),
                miner=short(miner.name),
                site=short(site.name),
                weight=t.grams(weight),
                price=t.money(price, CURRENCY),
                total=t.money(gold.purchase_total(weight, price), CURRENCY),
            ),
            None
            if fineness is None
            else t.gettext(FINENESS_LINE, fineness=t.number(Decimal(fineness).scaleb(-3))),
            t.gettext(CONFIRM),
            t.gettext(CONFIRM_MOBILE),
            self.nav(ctx),
        )

    def handle(self, ctx: Context, raw: str) -> Result:
        values = self._values(ctx)
        if values is None:
            return Home()
        if raw not in ("1", "3"):
            return super().handle(ctx, raw)
        miner, site, weight, price = values
        purchase = gold.record_purchase(
            ctx.session,
            miner=miner,
            site=site,
            weight_mg=weight,
            price_per_gram=price,
            currency=CURRENCY,
            buyer=ctx.member,
            fineness_ppm=self._fineness(ctx),
            payment=PayoutMethod.MOBILE_MONEY if raw == "3" else PayoutMethod.CASH,
        )
        saved = ctx.t.gettext(
            _("Saved. Receipt {receipt}.\n{miner} gets an SMS."),
            receipt=purchase.receipt_number,
            miner=short(miner.first_name),
        )
        # Flags never block a purchase; the buyer is told that the coordinator will see them.
        raised = len(flags.flags_for_purchase(ctx.session, purchase))
        if not raised:
            return End(saved)
        # TRANSLATORS: last line after a purchase is saved, when checks on it (site capacity,
        # an unregistered seller, a price far above the posted one...) raised warnings.
        warned = ctx.t.ngettext(
            "{n} warning sent to the coordinator.", "{n} warnings sent to the coordinator.", raised
        )
        return End(join(saved, warned))
