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

from locales import Translator, _
from locales.gsm7 import SINGLE_SEGMENT_SEPTETS, encoding_and_segments, septets, to_gsm7

#: A shortened name keeps at least this many characters: enough to recognise it.
MIN_ELASTIC = 10

# TRANSLATORS: SMS receipt for a gold sale, one segment (160 characters) with the longest
# values. {weight} like "12.5 g"; {price} and {total} are amounts with currency; {site} is
# the mine site's name; {lot} a lot number. Keep the line breaks.
RECEIPT = _(
    "Receipt {receipt} {date} {time}\n{weight} x {price}/g = {total}\nSite: {site}\nLot: {lot}"
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
# TRANSLATORS: SMS to coordinators when the account that pays for the SMS runs low;
# {balance} like "USD 4.2500". Africa's Talking is the SMS company's name: keep it.
CREDIT_LOW = _(
    "Sanduku: SMS credit is low ({balance}). Top up the Africa's Talking account before "
    "SMS stop going out."
)

#: What an enrolment SMS's body becomes once it has left: the code is not kept.
ENROLMENT_SENT = "(enrolment code, not kept)"


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
) -> str:
    return fit(
        t,
        RECEIPT,
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


def credit_low(t: Translator, *, amount: str, currency: str) -> str:
    return fit(t, CREDIT_LOW, balance=f"{currency} {amount}")


def plain(t: Translator, msgid: str) -> str:
    """A reply without values (STOP, START, help...)."""
    return fit(t, msgid)


def measure(body: str) -> tuple[str, int]:
    """The (encoding, segments) a body will be sent with."""
    return encoding_and_segments(body)
