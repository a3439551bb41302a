"""An officer (their group) or a coordinator (their cooperative) issues a member a one-time
enrolment code, so the member can choose a PIN (``ledger.enrolment``): phone or member
number, pick on a shared phone, confirm; the code is shown once on the last screen, with
when it runs out and whether it was texted (never on a shared phone)."""

from __future__ import annotations

from ledger import enrolment, pins
from ledger.models import Member
from locales import _
from ussd.context import Context
from ussd.screens.base import CONFIRM, AskScreen, Go, Home, Screen, Stay, join, register, short
from ussd.screens.lookup import NOT_FOUND, PickOnPhone, find
from ussd.screens.pin import locked_when
from ussd.screens.unlock import in_scope, issued_end


@register
class EnrolMember(AskScreen):
    name = "enrol_member"
    needs_pin = True

    def prompt(self, ctx: Context) -> str:
        return ctx.t.gettext(_("Enrolment code for whom?\nPhone or member number:"))

    def handle(self, ctx: Context, raw: str):
        phone, found = find(ctx, raw)
        found = [m for m in found if in_scope(ctx, m)]
        if not found:
            return Stay(ctx.t.gettext(NOT_FOUND))
        if len(found) > 1:
            ctx.data["enrol_phone"] = phone
            return Go("enrol_pick")
        ctx.data["enrol_member"] = found[0].id
        return Go("enrol_confirm")


@register
class EnrolPick(PickOnPhone):
    name = "enrol_pick"
    phone_key, id_key, next_screen = "enrol_phone", "enrol_member", "enrol_confirm"

    def _members(self, ctx: Context) -> list[Member]:
        return [m for m in super()._members(ctx) if in_scope(ctx, m)]


@register
class EnrolConfirm(Screen):
    name = "enrol_confirm"
    writes = True

    def _target(self, ctx: Context) -> Member | None:
        target = ctx.session.get(Member, ctx.data.get("enrol_member") or 0)
        return target if target is not None and in_scope(ctx, target) else None

    def render(self, ctx: Context) -> str:
        t, target = ctx.t, self._target(ctx)
        if target is None:
            return join(t.gettext(_("Nothing to confirm.")), self.nav(ctx))
        if pins.has_pin(target):
            status = t.gettext(_("Has a PIN: 11 clears it."))
        else:
            status = t.gettext(_("No PIN yet."))
        until = pins.locked_until(target, ctx.now)
        if until is not None:
            status = t.gettext(_("PIN locked until {when}."), when=locked_when(ctx, until))
        return join(
            short(target.name),
            status,
            t.gettext(_("Give an enrolment code?")),
            t.gettext(CONFIRM),
            self.nav(ctx),
        )

    def handle(self, ctx: Context, raw: str):
        target = self._target(ctx)
        if target is None:
            return Home()
        if raw != "1":
            return super().handle(ctx, raw)
        issued = enrolment.issue(ctx.session, target, by=ctx.member, now=ctx.now)
        return issued_end(ctx, issued)
