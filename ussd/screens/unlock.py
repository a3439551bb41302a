"""An officer (their group) or a coordinator (their cooperative) lifts a member's PIN lock.

The PIN is cleared too, since a locked-out member has usually forgotten it: the member
chooses a new one on their next dial.
"""

from __future__ import annotations

from ledger import access, pins
from ledger.models import Member
from locales import _
from ussd.context import Context
from ussd.screens.base import CONFIRM, AskScreen, Go, Home, Screen, Stay, join, register, short
from ussd.screens.lookup import NOT_FOUND, PickOnPhone, find
from ussd.screens.pin import locked_when


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
            t.gettext(_("Clear the PIN? They choose a new one.")),
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
        ctx.notice(ctx.t.gettext(_("PIN cleared for {name}."), name=short(target.first_name)))
        return Home()
