"""Every SMS we write: the English msgids (marked for extraction), rendered through the i18n
door in the member's language, transliterated to GSM-7 and fitted into one segment.

Names (of a member, a group, a site, a cooperative) are the only parts of unbounded
length; they are "elastic": when a text would need a second segment they are shortened,
longest first, down to ``MIN_ELASTIC`` characters. Everything else is bounded by the books
(the largest amounts and weights, the longest receipt and lot numbers), and a test renders
every template in every language with those worst cases.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from locales import Translator, _
from locales.gsm7 import SINGLE_SEGMENT_SEPTETS, encoding_and_segments, septets, to_gsm7

if TYPE_CHECKING:
    from ledger.models import PricePost

#: A shortened name keeps at least this many characters: enough to recognise it.
MIN_ELASTIC = 10

# TRANSLATORS: SMS receipt for a gold sale, one segment (160 characters) with the longest
# values. {weight} like "12.5 g"; {price} and {total} are amounts with currency; {site} is
# the mine site's name; {lot} a lot number. Keep the line breaks.
RECEIPT = _(
    "Receipt {receipt} {date} {time}\n{weight} x {price}/g = {total}\nSite: {site}\nLot: {lot}"
)
# TRANSLATORS: as above, when the buyer pays the miner by mobile money (to her phone).
RECEIPT_MOBILE = _(
    "Receipt {receipt} {date} {time}\n{weight} x {price}/g = {total}\nSite: {site}\nLot: {lot}"
    "\nPaid by mobile money."
)
# TRANSLATORS: SMS to members when the cooperative posts the gold price; {usd} and {cdf}
# are prices per gram; {coop} is the cooperative's name. One SMS: 160 characters.
PRICE = _("Gold price {date}: {usd}/g, {cdf}/g. {coop}")
# TRANSLATORS: as above when only a dollar price was posted.
PRICE_USD = _("Gold price {date}: {usd}/g. {coop}")
# TRANSLATORS: meeting reminder sent the day before; {name} is the member's first name,
# {group} the savings group's name, {time} like 15:00.
MEETS_TOMORROW = _("{name}, {group} meets tomorrow at {time}.")
# TRANSLATORS: as above, with the amount of the member's loan due at that meeting.
MEETS_TOMORROW_DUE = _("{name}, {group} meets tomorrow at {time}. Loan due: {due}.")
# TRANSLATORS: meeting reminder sent a few hours before, on the day of the meeting.
MEETS_TODAY = _("{name}, {group} meets today at {time}.")
# TRANSLATORS: as above, with the amount of the member's loan due at that meeting.
MEETS_TODAY_DUE = _("{name}, {group} meets today at {time}. Loan due: {due}.")
# TRANSLATORS: reply to an SMS "STOP": price SMS stop; receipts and reminders still come.
STOPPED = _("You will no longer get gold price SMS. Send START to get them again.")
# TRANSLATORS: reply to an SMS "START".
STARTED = _("You will get the gold price by SMS again. Send STOP to stop.")
# TRANSLATORS: reply to an SMS "PRICE" when the cooperative has never posted a price.
NO_PRICE = _("No gold price has been posted yet.")
# TRANSLATORS: reply to an SMS "BALANCE": balances are never sent by SMS (phones are
# shared); the member dials the USSD code ({code}, like *384*1#) and enters their PIN.
BALANCE_ON_USSD = _(
    "For your balance, dial {code} and enter your PIN. Balances are never sent by SMS."
)
# TRANSLATORS: reply to any SMS we do not understand. Use the keywords of your language
# (the ones listed for PRICE, STOP and START).
HELP = _("Send PRICE for the gold price, STOP to stop price SMS, START to get them again.")

# TRANSLATORS: SMS with a member's one-time enrolment code ({code}, 6 digits), valid until
# {date} {time}. Sent only when the phone is the member's alone. One SMS: 160 characters.
ENROLMENT_CODE = _(
    "Sanduku code: {code}, valid until {date} {time}. Dial the USSD code, type it, then "
    "choose your PIN. Never give it to anyone."
)
# TRANSLATORS: SMS to each member present once the savings group's meeting closes: what
# she paid at it ({paid}), her shares ({shares}, a count) and their value ({savings}), what
# her loans still owe ({loan}) and the next meeting's date ({next}). One SMS: 160 characters.
MEETING_DONE = _(
    "{name}: paid {paid} on {date}. Savings {savings} ({shares} shares). Loan {loan}. "
    "Next meeting {next}."
)
# TRANSLATORS: SMS to a member who leaves her savings group mid-cycle: her payout.
LEAVER = _("{name}, you have left {group}. Your payout: {payout} for {shares} shares.")
# TRANSLATORS: SMS to each member at the share-out: her shares and payout; saving starts
# again on {start} (the new cycle).
SHARED_OUT = _(
    "{name}, share-out of {group} on {date}: {shares} shares, payout {payout}. "
    "Saving starts again on {start}."
)

# TRANSLATORS: SMS to the cooperative's coordinators: a mine site counts as red from {date}
# (its inspection said red, or its yellow deadline passed); {site} is the site's name and
# {code} its code. Buyers can no longer record purchases there.
SITE_RED = _("Site {site} ({code}) is red from {date}: no purchases until it is inspected again.")
# TRANSLATORS: SMS to the coordinators: a yellow site's deadline ({date}) is near; after it
# the site counts as red and purchases there stop.
SITE_DEADLINE = _(
    "Site {site} ({code}) is yellow until {date}. After that it is red and purchases stop:"
    " plan the inspection."
)

#: What each kind of flag is called in the coordinators' digest: a few words each.
FLAG_LABELS = {
    # TRANSLATORS: in the digest of new warnings: more gold bought from a site than it yields.
    "site_capacity": _("site capacity"),
    # TRANSLATORS: in the digest: a miner sold far more than the site's other miners.
    "miner_outlier": _("miner far above others"),
    # TRANSLATORS: in the digest: a seller without an ID document, not a miner, or elsewhere.
    "unregistered_seller": _("unknown seller"),
    # TRANSLATORS: in the digest: one miner sold at several sites the same day.
    "multi_site_day": _("miner at 2+ sites a day"),
    # TRANSLATORS: in the digest: bought at a site not inspected, yellow, or now red.
    "site_status": _("site status"),
    # TRANSLATORS: in the digest: paid far above the posted gold price.
    "price_above_posted": _("price too high"),
    # TRANSLATORS: in the digest: the miner was paid below the posted gold price.
    "underpayment": _("miner underpaid"),
    # TRANSLATORS: in the digest: someone reported an incident (armed men, violence...).
    "incident": _("incident reported"),
}

# TRANSLATORS: SMS to whoever reported an incident (by SMS or USSD): it is saved under
# {reference} (like I-42) and the coordinators will follow it up. One SMS: 160 characters.
INCIDENT_SAVED = _(
    "Sanduku: incident {reference} saved. Thank you. The coordinators will follow it up."
)
# TRANSLATORS: reply to the report keyword sent alone: how to report. Name your language's
# first report word (see REPORT RIPOTI RAPPORT LAPOLO). One SMS: 160 characters.
INCIDENT_HOW = _(
    "To report an incident, send REPORT, the site code if you know it, then what happened."
)

# TRANSLATORS: SMS to coordinators when the account that pays for the SMS runs low;
# {balance} like "USD 4.2500". Africa's Talking is the SMS company's name: keep it.
CREDIT_LOW = _(
    "Sanduku: SMS credit is low ({balance}). Top up the Africa's Talking account before "
    "SMS stop going out."
)

#: What an enrolment SMS's body becomes once it has left: the code is not kept.
ENROLMENT_SENT = "(enrolment code, not kept)"

# TRANSLATORS: SMS to a miner when a premium (extra money the cooperative got for its
# traceable gold, weeks after her sale) is shared out. {lot} is a lot number (maybe with
# "+2" for more lots), {grams} her gold in it ("12.5 g"), {amount} her share with currency,
# {code} a 6-digit code she shows at the cooperative to get the cash. One SMS: 160 characters.
PREMIUM_CASH = _(
    "Gold premium, lot {lot}: {grams} of yours = {amount}. Take it in cash at the "
    "cooperative with code {code}."
)
# TRANSLATORS: as above, when the premium is sent to her phone by mobile money (M-Pesa).
PREMIUM_MOBILE = _(
    "Gold premium, lot {lot}: {grams} of yours = {amount}. It is sent to this phone by "
    "mobile money."
)
# TRANSLATORS: as above, when her share is below the smallest payout ({minimum}, like
# "0.50 $"): it is kept for her and added to her next premium, not lost.
PREMIUM_CARRIED = _(
    "Gold premium, lot {lot}: {grams} of yours = {amount}. Below {minimum}, it is kept and "
    "added to your next premium."
)
# TRANSLATORS: SMS to a miner whose cash code was lost or locked by wrong tries: {amount}
# with currency, {code} the new 6-digit code she shows at the cooperative. One SMS.
CASH_CODE_NEW = _(
    "Sanduku: new code {code} to take {amount} in cash at the cooperative. Your old code no "
    "longer works."
)
#: What a premium SMS's body becomes once it has left: its cash code is not kept.
PREMIUM_SENT = "(premium, code not kept)"


def fit(t: Translator, msgid: str, elastic: tuple[str, ...] = (), **values: object) -> str:
    """``msgid`` in ``t``'s language, with ``values``, as GSM-7 in one segment if it can be
    done by shortening the ``elastic`` values (never below ``MIN_ELASTIC`` characters)."""
    values = {k: to_gsm7(str(v)) for k, v in values.items()}
    while True:
        text = to_gsm7(t.gettext(msgid, **values))
        over = septets(text) - SINGLE_SEGMENT_SEPTETS
        longest = max(elastic, key=lambda k: len(values[k]), default=None)
        if over <= 0 or longest is None or len(values[longest]) <= MIN_ELASTIC:
            return text
        keep = max(MIN_ELASTIC, len(values[longest]) - over)
        values[longest] = values[longest][:keep].rstrip()


def receipt(
    t: Translator,
    *,
    receipt_number: str,
    at: dt.datetime,
    weight_mg: int,
    price_per_gram: int,
    total: int,
    currency: str,
    site: str,
    lot: str,
    mobile_money: bool = False,
) -> str:
    return fit(
        t,
        RECEIPT_MOBILE if mobile_money else RECEIPT,
        ("site",),
        receipt=receipt_number,
        date=t.date(at),
        time=t.time(at),
        weight=t.grams(weight_mg),
        price=t.money(price_per_gram, currency),
        total=t.money(total, currency),
        site=site,
        lot=lot,
    )


def price(t: Translator, *, posted_at: dt.datetime, usd: int, cdf: int | None, coop: str) -> str:
    values = {"date": t.date(posted_at), "usd": t.money(usd, "USD"), "coop": coop}
    if cdf is None:
        return fit(t, PRICE_USD, ("coop",), **values)
    return fit(t, PRICE, ("coop",), cdf=t.money(cdf, "CDF"), **values)


def posted_price(t: Translator, post: PricePost) -> str:
    """The SMS of a posted price."""
    return price(
        t,
        posted_at=post.posted_at,
        usd=post.usd_per_gram,
        cdf=post.cdf_per_gram,
        coop=post.cooperative.name,
    )


def reminder(
    t: Translator,
    *,
    name: str,
    group: str,
    meeting_local: dt.datetime,
    today_local: dt.date,
    due: int = 0,
    currency: str = "CDF",
) -> str:
    """ "Tomorrow" or "today" by the calendar, whichever reminder this is."""
    tomorrow = meeting_local.date() > today_local
    if due > 0:
        msgid = MEETS_TOMORROW_DUE if tomorrow else MEETS_TODAY_DUE
        return fit(
            t,
            msgid,
            ("name", "group"),
            name=name,
            group=group,
            time=t.time(meeting_local.time()),
            due=t.money(due, currency),
        )
    msgid = MEETS_TOMORROW if tomorrow else MEETS_TODAY
    return fit(
        t, msgid, ("name", "group"), name=name, group=group, time=t.time(meeting_local.time())
    )


def balance_on_ussd(t: Translator, code: str) -> str:
    """The reply to BALANCE, naming the USSD code members dial (``USSD_CODE``)."""
    return fit(t, BALANCE_ON_USSD, code=code)


def enrolment(t: Translator, *, code: str, expires_at: dt.datetime) -> str:
    return fit(t, ENROLMENT_CODE, code=code, date=t.date(expires_at), time=t.time(expires_at))


def meeting_done(
    t: Translator,
    *,
    name: str,
    day: dt.date,
    paid: int,
    shares: int,
    savings: int,
    loan: int,
    next_day: dt.date,
    currency: str,
) -> str:
    return fit(
        t,
        MEETING_DONE,
        ("name",),
        name=name,
        paid=t.money(paid, currency),
        date=t.date(day),
        savings=t.money(savings, currency),
        shares=shares,
        loan=t.money(loan, currency),
        next=t.date(next_day),
    )


def leaver(t: Translator, *, name: str, group: str, payout: int, shares: int, currency: str) -> str:
    return fit(
        t,
        LEAVER,
        ("name", "group"),
        name=name,
        group=group,
        payout=t.money(payout, currency),
        shares=shares,
    )


def shared_out(
    t: Translator,
    *,
    name: str,
    group: str,
    day: dt.date,
    shares: int,
    payout: int,
    start: dt.date,
    currency: str,
) -> str:
    return fit(
        t,
        SHARED_OUT,
        ("name", "group"),
        name=name,
        group=group,
        date=t.date(day),
        shares=shares,
        payout=t.money(payout, currency),
        start=t.date(start),
    )


def premium(
    t: Translator,
    *,
    lots: list[str],
    weight_mg: int,
    amount: int,
    currency: str,
    code: str | None = None,
    minimum: int | None = None,
) -> str:
    """A miner's premium: paid in cash (with her ``code``), by mobile money, or carried
    (below ``minimum``). The lot numbers are the elastic part."""
    lot = lots[0] + (f" +{len(lots) - 1}" if len(lots) > 1 else "")
    values = {"lot": lot, "grams": t.grams(weight_mg), "amount": t.money(amount, currency)}
    if minimum is not None:
        return fit(t, PREMIUM_CARRIED, ("lot",), minimum=t.money(minimum, currency), **values)
    if code is not None:
        return fit(t, PREMIUM_CASH, ("lot",), code=code, **values)
    return fit(t, PREMIUM_MOBILE, ("lot",), **values)


def cash_code(t: Translator, *, code: str, amount: int, currency: str) -> str:
    return fit(t, CASH_CODE_NEW, code=code, amount=t.money(amount, currency))


def site_alert(t: Translator, *, kind: str, site: str, code: str, day: dt.date) -> str:
    """A site turned red (``kind`` red) or nears its yellow deadline (``deadline``)."""
    msgid = SITE_RED if kind == "red" else SITE_DEADLINE
    return fit(t, msgid, ("site",), site=site, code=code, date=t.date(day))


def flag_digest(t: Translator, total: int, kinds: list[tuple[str, int, list[str]]]) -> str:
    """``3 new warnings: 2 site capacity MBS-03, 1 price too high``: one segment, the site
    codes left out (then the last kinds) when they do not fit."""

    def render(with_codes: bool, keep: int) -> str:
        parts = [
            " ".join([str(count), t.gettext(FLAG_LABELS[kind]), *(codes[:3] if with_codes else [])])
            for kind, count, codes in kinds[:keep]
        ]
        items = ", ".join(parts) + (", ..." if keep < len(kinds) else "")
        # TRANSLATORS: SMS digest to the coordinators, at most hourly: {n} new warnings and
        # what they are ({items}: "2 site capacity MBS-03, 1 price too high"). One SMS.
        return to_gsm7(
            t.ngettext("{n} new warning: {items}", "{n} new warnings: {items}", total, items=items)
        )

    for with_codes in (True, False):
        for keep in range(len(kinds), 0, -1):
            text = render(with_codes, keep)
            if septets(text) <= SINGLE_SEGMENT_SEPTETS:
                return text
    return render(False, 0)


def incident_saved(t: Translator, reference: str) -> str:
    return fit(t, INCIDENT_SAVED, reference=reference)


def credit_low(t: Translator, *, amount: str, currency: str) -> str:
    return fit(t, CREDIT_LOW, balance=f"{currency} {amount}")


def plain(t: Translator, msgid: str) -> str:
    """A reply without values (STOP, START, help...)."""
    return fit(t, msgid)


def measure(body: str) -> tuple[str, int]:
    """The (encoding, segments) a body will be sent with."""
    return encoding_and_segments(body)
