"""PIN screens: verify once per session, enrol with a code (then choose, typed twice),
change.

A flow that needs the PIN stores where it was going in ``data["after_pin"]`` (see
``conversation.open_screen``); the PIN steps take one place on the stack, so ``0`` from
the screen after them goes back to where the caller came from.

A member without a PIN types the one-time enrolment code an officer or coordinator gave
them (``ledger.enrolment``) before choosing one. Nothing about a PIN is kept in the session
state: the confirmation compares the PIN typed with the reply just before it in the
gateway's text, which holds every reply of the session, and the state keeps only where that
reply sits (``data["pin_at"]``).
"""

from __future__ import annotations

import datetime as dt

from ledger import enrolment, pins
from ledger.errors import LedgerError
from locales import _
from ussd.context import Context
from ussd.errors import explain
from ussd.screens.base import AskScreen, End, Home, Replace, Result, Stay, join, register

LOCKED = _("PIN locked until {when}. Ask your officer to unlock it.")
PIN_SAVED = _("PIN saved.")
# TRANSLATORS: a member without a PIN, who has no enrolment code (or whose code ran out).
NO_CODE = _("You have no PIN yet. Ask your officer for an enrolment code, then dial again.")
ASK_CODE = _("Type the enrolment code your officer gave you:")
BAD_CODE = _("A code is 6 digits.")
#: The plural pair of a wrong code (extracted where ``PinCode.handle`` uses it).
WRONG_CODE = ("Wrong code. {n} try left.", "Wrong code. {n} tries left.")
# TRANSLATORS: two sessions chose a PIN at once, or the code was used meanwhile.
NOT_SET = _("Your PIN was not saved: it changed meanwhile. Please dial again.")


def locked_when(ctx: Context, until: dt.datetime) -> str:
    """The end of a lock in local time: ``14:35``, with the date when it is not today."""
    t = ctx.t
    when = t.time(until)
    if t.local(until).date() != ctx.today():
        when = f"{t.date(until)} {when}"
    return when


def locked_text(ctx: Context, until: dt.datetime) -> str:
    return ctx.t.gettext(LOCKED, when=locked_when(ctx, until))


def pin_entry(ctx: Context) -> str | End:
    """Where a caller goes to give a PIN: ``pin``, or ``pin_code`` for a member who has
    none and holds a live enrolment code; or an END (locked, or no code)."""
    member = ctx.member
    until = pins.locked_until(member, ctx.now)
    if until is not None:
        return End(locked_text(ctx, until))
    if pins.has_pin(member):
        return "pin"
    if enrolment.has_live_code(ctx.session, member, ctx.now):
        return "pin_code"
    return End(ctx.t.gettext(NO_CODE))


def after_pin(ctx: Context) -> Result:
    target = ctx.data.pop("after_pin", "")
    return Replace(target) if target else Home()


def locked_end(ctx: Context, exc: LedgerError) -> End:
    return End(locked_text(ctx, exc.params["until"]))


@register
class Pin(AskScreen):
    name = "pin"
    #: A wrong PIN's count and lock must stay; nothing else is written before a refusal.
    savepoint = False

    def prompt(self, ctx: Context) -> str:
        t = ctx.t
        failures = ctx.member.pin_failures or 0
        warning = None
        if failures and not ctx.error:
            left = pins.tries_left(ctx.member)
            warning = t.ngettext("{n} try left.", "{n} tries left.", left)
        return join(t.gettext(_("Enter your PIN:")), warning)

    def handle(self, ctx: Context, raw: str) -> Result:
        member = ctx.lock_member()  # first: the one read of the caller, the row locked
        t = ctx.t
        if len(raw) != pins.PIN_LENGTH or not raw.isascii() or not raw.isdigit():
            return Stay(t.gettext(_("A PIN is 4 digits.")))
        try:
            ok = pins.verify_pin(ctx.session, member, raw, ctx.now, locked=True)
        except LedgerError as exc:  # locked (now or already): the lock is kept
            if exc.code == "pin_locked":
                return locked_end(ctx, exc)
            raise
        if not ok:
            left = pins.tries_left(ctx.member)
            return Stay(t.ngettext("Wrong PIN. {n} try left.", "Wrong PIN. {n} tries left.", left))
        ctx.state["pin_ok"] = True
        return after_pin(ctx)


@register
class PinCode(AskScreen):
    """A member without a PIN types the enrolment code; wrong codes count like wrong PINs."""

    name = "pin_code"

    def prompt(self, ctx: Context) -> str:
        t = ctx.t
        warning = None
        if ctx.member.pin_failures and not ctx.error:
            left = pins.tries_left(ctx.member)
            warning = t.ngettext("{n} try left.", "{n} tries left.", left)
        return join(t.gettext(ASK_CODE), warning)

    def handle(self, ctx: Context, raw: str) -> Result:
        t = ctx.t
        try:
            code_id = enrolment.check_code(ctx.session, ctx.member, raw, ctx.now)
        except LedgerError as exc:
            if exc.code == "pin_locked":
                return locked_end(ctx, exc)
            if exc.code == "bad_code":
                return Stay(t.gettext(BAD_CODE))
            if exc.code == "has_pin":  # set meanwhile, in another session
                return Replace("pin")
            raise
        if code_id is None:
            left = pins.tries_left(ctx.member)
            return Stay(
                t.ngettext("Wrong code. {n} try left.", "Wrong code. {n} tries left.", left)
            )
        ctx.data["pin_mode"] = "enrol"
        ctx.data["enrol_code"] = code_id
        return Replace("pin_new")


@register
class PinNew(AskScreen):
    """Choose a PIN, after the enrolment code."""

    name = "pin_new"
    mode = "enrol"

    def prompt(self, ctx: Context) -> str:
        return ctx.t.gettext(_("Choose a PIN of 4 digits:"))

    def handle(self, ctx: Context, raw: str) -> Result:
        if ctx.data.get("pin_mode") != self.mode:
            return Home()
        try:
            pins.check_new(raw)
        except LedgerError as exc:
            if exc.code == "weak_pin":
                return Stay(ctx.t.gettext(_("Too easy to guess. Choose another.")))
            return Stay(explain(ctx.t, exc))
        ctx.data["pin_at"] = ctx.at  # where the PIN sits in the text; never the PIN
        return Replace("pin_repeat")


@register
class PinChange(PinNew):
    """Change PIN: the current one was verified on the way in."""

    name = "pin_change"
    needs_pin = True
    mode = "change"

    def prompt(self, ctx: Context) -> str:
        return ctx.t.gettext(_("New PIN of 4 digits:"))

    def handle(self, ctx: Context, raw: str) -> Result:
        ctx.data["after_pin"] = ""
        ctx.data["pin_mode"] = self.mode
        return super().handle(ctx, raw)


@register
class PinRepeat(AskScreen):
    name = "pin_repeat"
    writes = True

    def prompt(self, ctx: Context) -> str:
        return ctx.t.gettext(_("Type the same PIN again:"))

    def handle(self, ctx: Context, raw: str) -> Result:
        t, data = ctx.t, ctx.data
        mode = data.get("pin_mode")
        first_at = data.pop("pin_at", None)
        if mode not in ("enrol", "change"):
            return Home()
        # The first PIN is the reply just before this one in the gateway's text.
        if first_at is None or first_at != ctx.at - 1 or raw != ctx.previous_reply:
            ctx.notice(t.gettext(_("The PINs differ. Try again.")))
            return Replace("pin_new" if mode == "enrol" else "pin_change")
        try:
            with ctx.session.begin_nested():
                if mode == "enrol":
                    enrolment.choose_pin(ctx.session, ctx.member, raw, data["enrol_code"], ctx.now)
                else:
                    pins.change_pin(ctx.session, ctx.member, raw)
        except LedgerError as exc:
            if exc.code in ("code_used", "pin_taken", "pin_changed"):
                return End(t.gettext(NOT_SET))
            raise
        for key in ("pin_mode", "enrol_code"):
            data.pop(key, None)
        ctx.state["pin_ok"] = True
        ctx.notice(t.gettext(PIN_SAVED))
        return after_pin(ctx)
