"""An officer (their group) or a coordinator (their cooperative) lifts a member's PIN lock.

The PIN is cleared too, since a locked-out member has usually forgotten it, and a one-time
enrolment code is issued at once (``ledger.enrolment``): the officer hands it over (it is
also texted when the phone is the member's alone), and the member types it on their next
dial before choosing a new PIN.
"""

from __future__ import annotations

from ledger import enrolment, pins
from ledger.models import Member
from locales import _
from ussd.context import Context
from ussd.screens.base import End, join, register, short
from ussd.screens.for_member import ConfirmForMember, FindMember, PickMember

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


@register
class UnlockMember(FindMember):
    name = "unlock_member"
    step = "unlock"

    def prompt(self, ctx: Context) -> str:
        return ctx.t.gettext(_("Unlock whose PIN?\nPhone or member number:"))


@register
class UnlockPick(PickMember):
    name = "unlock_pick"
    phone_key, id_key, next_screen = "unlock_phone", "unlock_member", "unlock_confirm"


@register
class UnlockConfirm(ConfirmForMember):
    name = "unlock_confirm"
    step = "unlock"
    has_pin = _("PIN not locked.")
    question = _("Clear the PIN and give a new code?")

    def act(self, ctx: Context, target: Member):
        pins.reset_pin(ctx.session, target)
        issued = enrolment.issue(ctx.session, target, by=ctx.member, now=ctx.now)
        return issued_end(ctx, issued, ctx.t.gettext(_("PIN cleared.")))
