"""An officer (their group) or a coordinator (their cooperative) issues a member a one-time
enrolment code, so the member can choose a PIN (``ledger.enrolment``): phone or member
number, pick on a shared phone, confirm; the code is shown once on the last screen, with
when it runs out and whether it was texted (never on a shared phone)."""

from __future__ import annotations

from ledger import enrolment
from ledger.models import Member
from locales import _
from ussd.context import Context
from ussd.screens.base import register
from ussd.screens.for_member import ConfirmForMember, FindMember, PickMember
from ussd.screens.unlock import issued_end


@register
class EnrolMember(FindMember):
    name = "enrol_member"
    step = "enrol"

    def prompt(self, ctx: Context) -> str:
        return ctx.t.gettext(_("Enrolment code for whom?\nPhone or member number:"))


@register
class EnrolPick(PickMember):
    name = "enrol_pick"
    phone_key, id_key, next_screen = "enrol_phone", "enrol_member", "enrol_confirm"


@register
class EnrolConfirm(ConfirmForMember):
    name = "enrol_confirm"
    step = "enrol"
    has_pin = _("Has a PIN: 11 clears it.")
    question = _("Give an enrolment code?")

    def act(self, ctx: Context, target: Member):
        issued = enrolment.issue(ctx.session, target, by=ctx.member, now=ctx.now)
        return issued_end(ctx, issued)
