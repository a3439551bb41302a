"""PIN screens: verify once per session, choose (typed twice), change.

A flow that needs the PIN stores where it was going in ``data["after_pin"]`` (see
``conversation.open_screen``); the PIN steps take one place on the stack, so ``0`` from
the screen after them goes back to where the caller came from.
"""

from __future__ import annotations

import datetime as dt

from ledger import pins
from ledger.errors import LedgerError
from locales import _
from ussd.context import Context
from ussd.errors import explain
from ussd.screens.base import AskScreen, End, Home, Replace, Result, Stay, join, register

LOCKED = _("PIN locked until {when}. Ask your officer to unlock it.")
PIN_SAVED = _("PIN saved.")


def locked_when(ctx: Context, until: dt.datetime) -> str:
    """The end of a lock in local time: ``14:35``, with the date when it is not today."""
    t = ctx.t
    when = t.time(until)
    if t.local(until).date() != ctx.today():
        when = f"{t.date(until)} {when}"
    return when


def locked_text(ctx: Context, until: dt.datetime) -> str:
    return ctx.t.gettext(LOCKED, when=locked_when(ctx, until))


def after_pin(ctx: Context) -> Result:
    target = ctx.data.pop("after_pin", "")
    return Replace(target) if target else Home()


@register
class Pin(AskScreen):
    name = "pin"

    def prompt(self, ctx: Context) -> str:
        t = ctx.t
        failures = ctx.member.pin_failures or 0
        warning = None
        if failures and not ctx.error:
            left = pins.tries_left(ctx.member)
            warning = t.ngettext("{n} try left.", "{n} tries left.", left)
        return join(t.gettext(_("Enter your PIN:")), warning)

    def handle(self, ctx: Context, raw: str) -> Result:
        t = ctx.t
        if len(raw) != pins.PIN_LENGTH or not raw.isascii() or not raw.isdigit():
            return Stay(t.gettext(_("A PIN is 4 digits.")))
        try:
            ok = pins.verify_pin(ctx.session, ctx.member, raw, ctx.now)
        except LedgerError as exc:  # locked (now or already): the lock is kept
            if exc.code == "pin_locked":
                return End(locked_text(ctx, exc.params["until"]))
            raise
        if not ok:
            left = pins.tries_left(ctx.member)
            return Stay(t.ngettext("Wrong PIN. {n} try left.", "Wrong PIN. {n} tries left.", left))
        ctx.state["pin_ok"] = True
        return after_pin(ctx)


@register
class PinNew(AskScreen):
    """Choose a PIN (first use, or after an officer cleared it)."""

    name = "pin_new"

    def prompt(self, ctx: Context) -> str:
        return ctx.t.gettext(_("Choose a PIN of 4 digits:"))

    def handle(self, ctx: Context, raw: str) -> Result:
        try:
            pins.check_new(raw)
        except LedgerError as exc:
            if exc.code == "weak_pin":
                return Stay(ctx.t.gettext(_("Too easy to guess. Choose another.")))
            return Stay(explain(ctx.t, exc))
        ctx.data["new_pin_hash"] = pins.hash_pin(raw)
        return Replace("pin_repeat")


@register
class PinChange(PinNew):
    """Change PIN: the current one was verified on the way in."""

    name = "pin_change"
    needs_pin = True

    def prompt(self, ctx: Context) -> str:
        return ctx.t.gettext(_("New PIN of 4 digits:"))

    def handle(self, ctx: Context, raw: str) -> Result:
        ctx.data["after_pin"] = ""
        return super().handle(ctx, raw)


@register
class PinRepeat(AskScreen):
    name = "pin_repeat"
    writes = True

    def prompt(self, ctx: Context) -> str:
        return ctx.t.gettext(_("Type the same PIN again:"))

    def handle(self, ctx: Context, raw: str) -> Result:
        first = ctx.data.pop("new_pin_hash", "")
        if not first or not pins.matches(raw, first):
            ctx.notice(ctx.t.gettext(_("The PINs differ. Try again.")))
            return Replace("pin_new")
        pins.set_pin(ctx.session, ctx.member, raw)
        ctx.state["pin_ok"] = True
        ctx.notice(ctx.t.gettext(PIN_SAVED))
        return after_pin(ctx)
