"""A refusal of the books, said in the user's language, on the field it is about."""

from __future__ import annotations

from console.i18n import gettext
from ledger.errors import LedgerError
from locales import _

#: The books' error codes the console shows in words of its own; others get ``GENERIC``.
MESSAGES = {
    "bad_phone": _("Write a phone number such as 0810000001."),
    "bad_login": _("Wrong phone or password."),
    "login_locked": _("Too many wrong passwords: try again after {time}."),
    "required": _("This is needed."),
    "bad_amount": _("Write an amount such as 95.50."),
    "bad_number": _("Write a number."),
    "out_of_range": _("This number is out of range."),
    "bad_date": _("Write a date such as 2026-12-03."),
    "future": _("The meeting date is in the future."),
    "before_cycle": _("The date is before the start of the cycle."),
    "fund_short": _("Not enough money in the fund."),
    "over_cap": _("The loan is above what the member may borrow."),
    "too_many_shares": _("Too many shares."),
    "not_positive": _("Write a number above zero."),
    "too_large": _("This number is too large."),
    "too_precise": _("Too many digits after the point."),
    "bad_password": _("A password has 10 to 200 characters."),
    "has_pin": _("The member has a PIN: unlock it from a phone or the API."),
    "inactive": _("The member is not active."),
    "bad_name": _("Write the name."),
    "bad_gender": _("Choose F or M."),
    "bad_language": _("Choose a language."),
    "too_long": _("This is too long."),
    "bad_csv": _("The file needs the columns phone, name and gender."),
    "bad_file": _("This file cannot be read."),
    "exists": _("This phone and name are already there."),
    "meeting_closed": _("The meeting is closed."),
    "count_first": _("Count the box first."),
    "nothing_to_reverse": _("Nothing recorded for this member."),
    "loan_moved": _("Correct the later records first."),
    "later_records": _("Correct the later records first."),
    "cycle_closed": _("This meeting's cycle is shared out: it is not corrected any more."),
    "unsettled": _(
        "A borrower owes more than her payout: record the repayment or write the loan off first."
    ),
    "no_shares": _("Nobody bought shares this cycle."),
    "closed": _("The loan is already closed."),
    "before_loan": _("The date is before the loan was given."),
    "bad_rule": _("Choose one of the rules."),
    "day_ahead": _("This day has not come yet."),
    "other_group": _("Not in this group."),
    "bad_status": _("Choose a status."),
    "no_deadline": _("Only a yellow site has a deadline."),
    "lot_closed": _("This lot is closed: combined or shipped."),
    "empty_lot": _("This lot is empty."),
    "tag_used": _("This tag is already on another lot."),
    "not_sealed": _("Seal the lot before it ships."),
    "mass_balance": _("More gold out than the lots put in."),
    "duplicate": _("A lot is named twice."),
    "other_cooperative": _("A lot of another cooperative."),
    "bad_code": _("Letters, digits, - and _ only."),
    "unknown_lot": _("No such lot."),
}
#: Where one code means something else on one field: (code, field) -> words.
ON_FIELD = {
    ("future", "inspected_on"): _("The inspection date is in the future."),
    ("out_of_range", "deadline"): _("The deadline is before the inspection."),
    ("exists", "lot_number"): _("This lot number is already there."),
    ("required", "inputs"): _("Choose the lots to combine."),
    ("required", "exporter"): _("Choose the exporter."),
    ("unknown_exporter", "exporter"): _("Choose the exporter."),
}
GENERIC = _("This value is not accepted.")


def say(exc: LedgerError) -> str:
    from console.i18n import tr

    params = {}
    if exc.code == "login_locked" and exc.params.get("until") is not None:
        params["time"] = tr().time(exc.params["until"])
    words = ON_FIELD.get((exc.code, exc.field)) or MESSAGES.get(exc.code, GENERIC)
    return gettext(words, **params)
