"""The books' refusals (``LedgerError`` codes) as one short line in the caller's language."""

from __future__ import annotations

from ledger.errors import LedgerError
from locales import Translator, _

#: Codes whose message carries an amount: which parameter, shown as money.
_MONEY_PARAMS = {"over_cap": "limit", "fund_short": "available", "overpaid": "owed"}

#: Messages by ``code``, or by ``code:field`` where one code covers different things (a
#: grant is refused for the social fund, a loan for the loan fund): the more precise wins.
MESSAGES = {
    # TRANSLATORS: a member tried to buy more shares than a meeting allows.
    "too_many_shares": _("Already {bought} shares today; at most {max}."),
    "over_cap": _("Too much: at most {limit}."),
    # TRANSLATORS: a loan (or an expense) is more than the loan fund's cash. Name the loan
    # fund: members must not read it as the social fund.
    "fund_short": _("The loan fund holds only {available}."),
    # TRANSLATORS: a grant is more than the social fund's cash.
    "fund_short:grant": _("The social fund holds only {available}."),
    "overpaid": _("Owes only {owed}."),
    "out_of_range": _("Out of range."),
    # TRANSLATORS: a buyer typed a fineness outside 100 to 1000 thousandths (925 = 92.5 %).
    "out_of_range:fineness": _("Fineness is 100 to 1000."),
    "bad_number": _("Type a number."),
    "too_precise": _("Too many decimals."),
    "not_positive": _("Must be more than 0."),
    "too_large": _("Too large."),
    "red_site": _("Red site: no purchases."),
    # TRANSLATORS: the member has left the group (their membership ended). Say it of the
    # group, never "is no more" (which reads as a death).
    "inactive": _("No longer in the group."),
    # TRANSLATORS: a buyer typed the phone of a miner whose membership has ended.
    "inactive:miner": _("No longer a member."),
    "other_group": _("Not in this group."),
    "future": _("Not possible on this date."),
    "before_cycle": _("Not possible on this date."),
    "bad_pin": _("A PIN is 4 digits."),
    "no_group": _("Not in a savings group."),
    "has_pin": _("Has a PIN: 11 clears it."),
    # TRANSLATORS: the meeting was closed (box counted): only a coordinator corrects it now.
    "meeting_closed": _("The meeting is closed."),
    "count_first": _("Count the box first."),
    "nothing_to_reverse": _("Nothing recorded for this member."),
    # TRANSLATORS: a correction refused: the loan was repaid in part since, or a later
    # repayment exists: the later record is corrected first.
    "loan_moved": _("Correct the later records first."),
    "later_records": _("Correct the later records first."),
    # TRANSLATORS: a correction refused: the money it takes back has been lent or paid out.
    "fund_short:member": _("The box no longer holds that money."),
    # TRANSLATORS: the officer typed something that is not a phone number.
    "bad_phone": _("Not a phone number."),
    "required:name": _("Type the name."),
    "too_long": _("Too long."),
    # TRANSLATORS: the new member is already an active member of the officer's group.
    "exists:member": _("Already in this group."),
}
FALLBACK = _("Not accepted. Please check.")


def explain(t: Translator, exc: LedgerError, currency: str | None = None) -> str:
    msgid = MESSAGES.get(f"{exc.code}:{exc.field}") or MESSAGES.get(exc.code)
    if msgid is None:
        return t.gettext(FALLBACK)
    params = dict(exc.params)
    name = _MONEY_PARAMS.get(exc.code)
    if name is not None:
        value = params.get(name)
        if not isinstance(value, int) or currency is None:
            return t.gettext(FALLBACK)
        params[name] = t.money(value, currency)
    try:
        return t.gettext(msgid, **params)
    except (KeyError, IndexError, ValueError):
        return t.gettext(FALLBACK)
