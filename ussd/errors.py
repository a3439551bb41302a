"""The books' refusals (``LedgerError`` codes) as one short line in the caller's language."""

from __future__ import annotations

from ledger.errors import LedgerError
from locales import Translator, _

#: Codes whose message carries an amount: which parameter, shown as money.
_MONEY_PARAMS = {"over_cap": "limit", "fund_short": "available", "overpaid": "owed"}

MESSAGES = {
    # TRANSLATORS: a member tried to buy more shares than a meeting allows.
    "too_many_shares": _("Already {bought} shares today; at most {max}."),
    "over_cap": _("Too much: at most {limit}."),
    "fund_short": _("The fund holds only {available}."),
    "overpaid": _("Owes only {owed}."),
    "out_of_range": _("Out of range."),
    "bad_number": _("Type a number."),
    "too_precise": _("Too many decimals."),
    "not_positive": _("Must be more than 0."),
    "too_large": _("Too large."),
    "red_site": _("Red site: no purchases."),
    "inactive": _("Member not active."),
    "other_group": _("Not in this group."),
    "future": _("Not possible on this date."),
    "before_cycle": _("Not possible on this date."),
    "bad_pin": _("A PIN is 4 digits."),
    "no_group": _("Not in a savings group."),
    "has_pin": _("Has a PIN: 11 clears it."),
}
FALLBACK = _("Not accepted. Please check.")


def explain(t: Translator, exc: LedgerError, currency: str | None = None) -> str:
    msgid = MESSAGES.get(exc.code)
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
