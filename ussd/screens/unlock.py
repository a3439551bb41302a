"""An officer (their group) or a coordinator (their cooperative) lifts a member's PIN lock.

The PIN is cleared too, since a locked-out member has usually forgotten it, and a one-time
enrolment code is issued at once (``ledger.enrolment``): the officer hands it over (it is
also texted when the phone is the member's alone), and the member types it on their next
dial before choosing a new PIN.
"""

from __future__ import annotations

from ledger import access, enrolment, pins
from ledger.models import Member
from locales import _
from ussd.context import Context
from ussd.screens.base import CONFIRM, AskScreen, End, Go, Home, Screen, Stay, join, register, short
from ussd.screens.lookup import NOT_FOUND, PickOnPhone, find
from ussd.screens.pin import locked_when

# TRANSLATORS: the officer's last screen after issuing an enrolment code: {code} is 6 digits,
# {when} a date and time. They read it to the member or write it down.
CODE_FOR = _("Code for {name}: {code}\nValid until {when}.")
CODE_TEXTED = _("Also sent to their phone by SMS.")
CODE_IN_PERSON = _("Shared phone: no SMS. Give it in person.")
# TRANSLATORS: what a repeated request gets instead of the code, which is shown only once.
CODE_SHOWN_ONCE = _("The code was shown once. If it was lost, issue a new one (12).")


def issued_end(ctx: Context, issued: enrolment.Issued, *first: str) -> End:
    """The END screen that shows a new code once; a retry of the request gets
    ``CODE_SHOWN_ONCE`` (the code is never stored in the session)."""
    t = ctx.t
    when = f"{t.date(issued.expires_at)} {t.time(issued.expires_at)}"
    text = join(
        *first,
        t.gettext(CODE_FOR, name=short(issued.member.first_name), code=issued.code, when=when),
        t.gettext(CODE_TEXTED if issued.texted else CODE_IN_PERSON),
    )
    return End(text, replay=t.gettext(CODE_SHOWN_ONCE))


def in_scope(ctx: Context, target: Member) -> bool:
    return access.may_update_member(access.for_member(ctx.member), target)


@register
class UnlockMember(AskScreen):
    name = "unlock_member"
    needs_pin = True

    def prompt(self, ctx: Context) -> str:
        return ctx.t.gettext(_("Unlock whose PIN?\nPhone or member number:"))

    def handle(self, ctx: Context, raw: str):
        phone, found = find(ctx, raw)
        found = [m for m in found if in_scope(ctx, m)]
        if not found:
            return Stay(ctx.t.gettext(NOT_FOUND))
        if len(found) > 1:
            ctx.data["unlock_phone"] = phone
            return Go("unlock_pick")
        ctx.data["unlock_member"] = found[0].id
        return Go("unlock_confirm")


@register
class UnlockPick(PickOnPhone):
    name = "unlock_pick"
    phone_key, id_key, next_screen = "unlock_phone", "unlock_member", "unlock_confirm"

    def _members(self, ctx: Context) -> list[Member]:
        return [m for m in super()._members(ctx) if in_scope(ctx, m)]


@register
class UnlockConfirm(Screen):
    name = "unlock_confirm"
    writes = True

    def _target(self, ctx: Context) -> Member | None:
        target = ctx.session.get(Member, ctx.data.get("unlock_member") or 0)
        return target if target is not None and in_scope(ctx, target) else None

    def render(self, ctx: Context) -> str:
        t, target = ctx.t, self._target(ctx)
        if target is None:
            return join(t.gettext(_("Nothing to confirm.")), self.nav(ctx))
        until = pins.locked_until(target, ctx.now)
        if until is not None:
            status = t.gettext(_("PIN locked until {when}."), when=locked_when(ctx, until))
        elif pins.has_pin(target):
            status = t.gettext(_("PIN not locked."))
        else:
            status = t.gettext(_("No PIN yet."))
        return join(
            short(target.name),
            status,
            t.gettext(_("Clear the PIN and give a new code?")),
            t.gettext(CONFIRM),
            self.nav(ctx),
        )

    def handle(self, ctx: Context, raw: str):
        target = self._target(ctx)
        if target is None:
            return Home()
        if raw != "1":
            return super().handle(ctx, raw)
        pins.reset_pin(ctx.session, target)
        issued = enrolment.issue(ctx.session, target, by=ctx.member, now=ctx.now)
        return issued_end(ctx, issued, ctx.t.gettext(_("PIN cleared.")))
