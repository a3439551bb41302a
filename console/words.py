"""Words the console's pages share, marked for the catalogs and translated per request."""

from __future__ import annotations

from console.i18n import gettext
from locales import _

#: An SMS's status, as a coordinator reads it.
SMS_STATUS = {
    "pending": _("Waiting"),
    "queued": _("Waiting"),
    "sending": _("Waiting"),
    "sent": _("Sent"),
    "delivered": _("Delivered"),
    "failed": _("Failed"),
    "rejected": _("Rejected"),
    "unknown": _("Unknown"),
}

#: What a line of the books was (a passbook, a meeting's records).
ENTRY_KINDS = {
    "shares": _("Shares"),
    "social_fund": _("Social fund"),
    "social_grant": _("Grant"),
    "fine": _("Fine"),
    "loan": _("Loan"),
    "service_charge": _("Service charge"),
    "repayment": _("Repayment"),
    "write_off": _("Loan written off"),
    "share_out": _("Share-out"),
    "reversal": _("Correction"),
}


def translated(table: dict[str, str]) -> dict[str, str]:
    return {key: gettext(word) for key, word in table.items()}


#: A flag's review status, as a coordinator reads it.
FLAG_STATUS = {
    "open": _("Open"),
    "confirmed": _("Confirmed"),
    "dismissed": _("Dismissed"),
}
#: A lot's status, and what happened to it (its custody log).
LOT_STATUS = {
    "open": _("Open for purchases"),
    "sealed": _("Sealed"),
    "shipped": _("Shipped"),
    "combined": _("Combined"),
}
LOT_ACTION = {**LOT_STATUS, "created": _("Made")}
#: How a lot is formed out of other lots.
LOT_OPERATION = {
    "combination": _("Combination"),
    "processing": _("Processing"),
    "export": _("Export"),
}
