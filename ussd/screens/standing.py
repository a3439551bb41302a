"""Where a member stands, shown on the officer's confirmation screens before anything is
written: her shares this cycle and their value (her savings), and what her loans still owe
on the meeting's day."""

from __future__ import annotations

import datetime as dt

from ledger.loans import loans_as_of
from ledger.models import Group, Member
from ledger.vsla import current_cycle, savings_of, shares_of
from locales import _
from ussd.context import Context

# TRANSLATORS: a line of the officer's confirmation screens, before anything is saved: the
# member's shares this cycle ({shares}, a count), their value ({savings}), and what her loans
# still owe ({loan}). Keep it short: the screen holds 160 characters in all.
STANDING = _("Has {shares} shares = {savings}; owes {loan}.")


def standing(ctx: Context, group: Group, member: Member, day: dt.date) -> str:
    session = ctx.session
    owed = sum(loan.outstanding for loan in loans_as_of(session, member, day))
    return ctx.t.gettext(
        STANDING,
        shares=shares_of(session, current_cycle(session, group), member),
        savings=ctx.t.money(savings_of(session, member), group.currency),
        loan=ctx.t.money(owed, group.currency),
    )
