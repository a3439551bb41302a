"""A coordinator posts today's gold price for their cooperative: US dollars per gram and,
when they have it, francs per gram. The books announce the post (``ledger.events``) and the
SMS layer broadcasts it to the members, each in their own language."""

from __future__ import annotations

from ledger import gold
from locales import _
from ussd import keypad
from ussd.context import Context
from ussd.screens.base import CONFIRM, AskScreen, End, Go, Home, Screen, Stay, join, register, short
from ussd.screens.buyer import NO_COOPERATIVE, cooperative

# TRANSLATORS: '#' is the decimal point on a phone keypad: 95#5 means 95.50.
ASK_USD = _("Today's gold price\nin $ per gram:\n(95#5 = 95.50 $)")
# TRANSLATORS: 1 posts the dollar price alone. Do not start the line with your word for
# "No": on every screen 1 is yes.
ASK_CDF = _("Price in FC per gram?\n1 Only the $ price\nor type the price")


@register
class PriceUsd(AskScreen):
    name = "price_usd"
    needs_pin = True

    def prompt(self, ctx: Context) -> str:
        if cooperative(ctx) is None:
            return ctx.t.gettext(NO_COOPERATIVE)
        return ctx.t.gettext(ASK_USD)

    def handle(self, ctx: Context, raw: str):
        if cooperative(ctx) is None:
            return Stay(ctx.t.gettext(NO_COOPERATIVE))
        ctx.data["price_usd"] = keypad.price_per_gram(raw, "USD")
        return Go("price_cdf")


@register
class PriceCdf(AskScreen):
    name = "price_cdf"

    def prompt(self, ctx: Context) -> str:
        return ctx.t.gettext(ASK_CDF)

    def handle(self, ctx: Context, raw: str):
        ctx.data["price_cdf"] = None if raw == "1" else keypad.price_per_gram(raw, "CDF")
        return Go("price_confirm")


@register
class PriceConfirm(Screen):
    name = "price_confirm"
    writes = True

    def render(self, ctx: Context) -> str:
        t, coop, d = ctx.t, cooperative(ctx), ctx.data
        if coop is None or not d.get("price_usd"):
            return join(t.gettext(_("Nothing to confirm.")), self.nav(ctx))
        lines = [
            t.gettext(_("Post for {cooperative}:"), cooperative=short(coop.name)),
            t.gettext(_("{price} per gram"), price=t.money(d["price_usd"], "USD")),
        ]
        if d.get("price_cdf"):
            lines.append(t.gettext(_("{price} per gram"), price=t.money(d["price_cdf"], "CDF")))
        return join(*lines, t.gettext(CONFIRM), self.nav(ctx))

    def handle(self, ctx: Context, raw: str):
        coop, d = cooperative(ctx), ctx.data
        if coop is None or not d.get("price_usd"):
            return Home()
        if raw != "1":
            return super().handle(ctx, raw)
        gold.post_price(
            ctx.session, coop, d["price_usd"], d.get("price_cdf") or None, posted_by=ctx.member
        )
        return End(ctx.t.gettext(_("Price posted. Members get an SMS.")))
