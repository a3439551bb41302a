"""Screens on which an officer (their group) or a coordinator (their cooperative) acts for
another member: ask for a phone or member number, pick one on a shared phone, confirm.
Members they may not act on are not found (``ledger.access``). ``step`` names a flow's
screens (``{step}_member``, ``{step}_pick``, ``{step}_confirm``) and its session keys."""

from __future__ import annotations

from typing import ClassVar

from ledger import access, pins
from ledger.models import Member
from locales import _
from ussd.context import Context
from ussd.screens.base import CONFIRM, AskScreen, Go, Home, Screen, Stay, join, short
from ussd.screens.lookup import NOT_FOUND, PickOnPhone, find
from ussd.screens.pin import locked_when


def in_scope(ctx: Context, target: Member) -> bool:
    return access.may_update_member(access.for_member(ctx.member), target)


class FindMember(AskScreen):
    """A phone or member number: the member, or ``{step}_pick`` on a shared phone."""

    needs_pin = True
    step: ClassVar[str] = ""
    #: The screen after the member is known: ``{step}_{after}``.
    after: ClassVar[str] = "confirm"

    def in_scope(self, ctx: Context, target: Member) -> bool:
        return in_scope(ctx, target)

    def handle(self, ctx: Context, raw: str):
        phone, found = find(ctx, raw)
        found = [m for m in found if self.in_scope(ctx, m)]
        if not found:
            return Stay(ctx.t.gettext(NOT_FOUND))
        if len(found) > 1:
            ctx.data[f"{self.step}_phone"] = phone
            return Go(f"{self.step}_pick")
        ctx.data[f"{self.step}_member"] = found[0].id
        return Go(f"{self.step}_{self.after}")


class PickMember(PickOnPhone):
    def _members(self, ctx: Context) -> list[Member]:
        return [m for m in super()._members(ctx) if in_scope(ctx, m)]


class ConfirmForMember(Screen):
    """The member's name, their PIN's state, the ``question``; 1 runs ``act``."""

    writes = True
    step: ClassVar[str] = ""
    question: ClassVar[str] = ""
    #: What a member with a PIN (not locked) is shown as.
    has_pin: ClassVar[str] = ""

    def target(self, ctx: Context) -> Member | None:
        target = ctx.session.get(Member, ctx.data.get(f"{self.step}_member") or 0)
        return target if target is not None and in_scope(ctx, target) else None

    def status(self, ctx: Context, target: Member) -> str:
        until = pins.locked_until(target, ctx.now)
        if until is not None:
            return ctx.t.gettext(_("PIN locked until {when}."), when=locked_when(ctx, until))
        return ctx.t.gettext(self.has_pin if pins.has_pin(target) else _("No PIN yet."))

    def act(self, ctx: Context, target: Member):
        raise NotImplementedError

    def render(self, ctx: Context) -> str:
        t, target = ctx.t, self.target(ctx)
        if target is None:
            return join(t.gettext(_("Nothing to confirm.")), self.nav(ctx))
        return join(
            short(target.name),
            self.status(ctx, target),
            t.gettext(self.question),
            t.gettext(CONFIRM),
            self.nav(ctx),
        )

    def handle(self, ctx: Context, raw: str):
        target = self.target(ctx)
        if target is None:
            return Home()
        if raw != "1":
            return super().handle(ctx, raw)
        return self.act(ctx, target)
