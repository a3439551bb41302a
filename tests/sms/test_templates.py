"""Every SMS template in every language with the largest values the books allow: GSM-7 after
transliteration, and one segment (160 septets) with names still recognisable."""

from __future__ import annotations

import datetime as dt

import pytest

import wsgi
from ledger.defaults import MAX_AMOUNT_MINOR, MAX_PRICE_PER_GRAM_MINOR, MAX_PURCHASE_MG
from ledger.premiums.defaults import MAX_PREMIUM_MINERS
from ledger.premiums.report import PremiumReport
from locales import LANGUAGES, translator
from locales.gsm7 import SINGLE_SEGMENT_SEPTETS, is_gsm7, septets, to_gsm7
from sms import premium_report, templates

#: Longest names (80 characters, with letters that need transliterating).
NAME_CHARS = 80
NAME = ("Mbɔ́tɛ Nyɛ́lɛ́ " * 8)[:NAME_CHARS]
LONG_AT = dt.datetime(2099, 12, 31, 22, 59)  # two-digit everything
#: The longest USSD code the configuration accepts (``USSD_CODE``).
LONG_CODE = "*" + "9" * 19 + "#"


def worst_cases(t):
    """(label, text, elastic values that must survive) for every template."""
    cdf_price = MAX_PRICE_PER_GRAM_MINOR["CDF"]
    for mobile_money in (False, True):
        yield (
            f"receipt mobile_money={mobile_money}",
            templates.receipt(
                t,
                receipt_number="R991231-WWWWW",  # gold.record_purchase's format
                at=LONG_AT,
                weight_mg=MAX_PURCHASE_MG - 1,  # 9,999.999 g
                price_per_gram=cdf_price,
                total=(MAX_PURCHASE_MG - 1) * cdf_price // 1000,
                currency="CDF",
                site=NAME,
                lot="L-WWWWWWWWWWWW-991231-WWWW",  # gold.purchase_lot's format
                mobile_money=mobile_money,
            ),
            [NAME],
        )
    for cdf in (cdf_price, None):
        yield (
            f"price cdf={bool(cdf)}",
            templates.price(
                t,
                posted_at=LONG_AT,
                usd=MAX_PRICE_PER_GRAM_MINOR["USD"] - 1,
                cdf=cdf,
                coop=NAME,
            ),
            [NAME],
        )
    for today in (LONG_AT.date(), LONG_AT.date() - dt.timedelta(days=1)):
        for due in (0, MAX_AMOUNT_MINOR):
            yield (
                f"reminder {today} due={bool(due)}",
                templates.reminder(
                    t,
                    name=NAME,
                    group=NAME,
                    meeting_local=LONG_AT,
                    today_local=today,
                    due=due,
                    currency="CDF",
                ),
                [NAME],
            )
    yield "balance", templates.balance_on_ussd(t, LONG_CODE), []
    yield (
        "enrolment code",
        templates.enrolment(t, code="999999", expires_at=LONG_AT),
        [],
    )
    # A savings group's SMS: every amount at the books' largest, the most shares a cycle
    # can hold (10 a meeting, 53 meetings).
    yield (
        "meeting closed",
        templates.meeting_done(
            t,
            name=NAME,
            day=LONG_AT.date(),
            paid=MAX_AMOUNT_MINOR,
            shares=530,
            savings=MAX_AMOUNT_MINOR,
            loan=MAX_AMOUNT_MINOR,
            next_day=LONG_AT.date(),
            currency="CDF",
        ),
        [NAME],
    )
    yield (
        "leaver",
        templates.leaver(
            t, name=NAME, group=NAME, payout=MAX_AMOUNT_MINOR, shares=530, currency="CDF"
        ),
        [NAME],
    )
    yield (
        "share-out",
        templates.shared_out(
            t,
            name=NAME,
            group=NAME,
            day=LONG_AT.date(),
            shares=530,
            payout=MAX_AMOUNT_MINOR,
            start=LONG_AT.date(),
            currency="CDF",
        ),
        [NAME],
    )
    lots = ["L-WWWWWWWWWWWW-991231-WWWW"] * 50  # a premium over the most lots a plan takes
    for code, minimum in (("999999", None), (None, None), (None, MAX_AMOUNT_MINOR)):
        yield (
            f"premium code={bool(code)} carried={bool(minimum)}",
            templates.premium(
                t,
                lots=lots,
                weight_mg=9_999_999_999,  # 9,999,999.999 g: more than any miner sells
                amount=MAX_AMOUNT_MINOR,
                currency="CDF",
                code=code,
                minimum=minimum,
            ),
            [lots[0]],
        )
    yield (
        "cash code again",
        templates.cash_code(t, code="999999", amount=MAX_AMOUNT_MINOR, currency="CDF"),
        [],
    )
    for kind in ("red", "deadline"):  # to coordinators; a site code is 32 characters at most
        yield (
            f"site {kind}",
            templates.site_alert(t, kind=kind, site=NAME, code="W" * 32, day=LONG_AT.date()),
            [NAME],
        )
    # to coordinators: premiums not fully paid, at the books' largest amounts and the most
    # miners a plan holds; one premium, then twenty (the rest counted)
    worst = PremiumReport(
        premium_id=2**31 - 1, cooperative_id=1, cooperative="W", currency="CDF",
        approved_at=LONG_AT, amount=MAX_AMOUNT_MINOR, miners_total=MAX_AMOUNT_MINOR,
        miners=MAX_PREMIUM_MINERS, due=MAX_AMOUNT_MINOR, miners_paid=MAX_PREMIUM_MINERS - 1,
        paid=MAX_AMOUNT_MINOR - 1,
        payouts={"failed": MAX_PREMIUM_MINERS, "unknown": MAX_PREMIUM_MINERS},
    )  # fmt: skip
    for count in (1, 20):
        yield f"premium report x{count}", premium_report.render(t, [worst] * count), []
    # to coordinators: the longest balance Africa's Talking writes
    yield "credit low", templates.credit_low(t, amount="-123456789.1234", currency="USD"), []
    yield "incident saved", templates.incident_saved(t, f"I-{2**31 - 1}"), []
    yield "incident how", templates.plain(t, templates.INCIDENT_HOW), []
    for msgid in (  # replies to inbound SMS: no values
        templates.STOPPED,
        templates.STARTED,
        templates.NO_PRICE,
        templates.HELP,
    ):
        yield msgid[:20], templates.plain(t, msgid), []


def kept(name: str, text: str) -> int:
    """How many characters of ``name`` (as sent) made it into ``text``."""
    sent = to_gsm7(name)
    return max(n for n in range(len(sent) + 1) if sent[:n] in text)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_template_fits_one_gsm7_segment(language):
    """Fixed texts must fit as they are; texts with names shorten the names to fit, never
    below ``MIN_ELASTIC``. Printed: the longest fixed text, and the template leaving the
    least room for names (the margin a translation has left)."""
    t = translator(language)
    longest, tightest = (0, ""), (NAME_CHARS + 1, "", "")
    for label, text, names in worst_cases(t):
        assert is_gsm7(text), (label, text)
        length = septets(text)
        assert length <= SINGLE_SEGMENT_SEPTETS, (label, length, text)
        for name in names:
            room = kept(name, text)
            assert room >= templates.MIN_ELASTIC, f"{label}: the name was cut to {room}: {text}"
            tightest = min(tightest, (room, label, text))
        if not names:
            longest = max(longest, (length, label))
    room, label, text = tightest
    print(
        f"\n{language}: longest fixed SMS {longest[0]} of {SINGLE_SEGMENT_SEPTETS} septets "
        f"({longest[1]}); least room for names: {label}, {room} of {NAME_CHARS} characters "
        f"kept (at least {templates.MIN_ELASTIC}):\n{text}"
    )


def test_short_names_are_kept_whole():
    t = translator("fr")
    text = templates.reminder(
        t,
        name="Amani",
        group="Tujenge Bunia",
        meeting_local=LONG_AT,
        today_local=LONG_AT.date(),
    )
    assert "Amani" in text and "Tujenge Bunia" in text and "22:59" in text


def test_text_is_transliterated_for_phones():
    t = translator("ln")
    text = templates.reminder(
        t, name="Mbɔ́tɛ", group="Lisanga ya Bunia", meeting_local=LONG_AT, today_local=LONG_AT.date()
    )
    assert "Mbote" in text and is_gsm7(text)


def test_the_longest_code_is_the_longest_accepted():
    assert wsgi.USSD_CODE_PATTERN.fullmatch(LONG_CODE)
    assert not wsgi.USSD_CODE_PATTERN.fullmatch(LONG_CODE.replace("*", "*9", 1))


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_balance_reply_names_the_code(language):
    text = templates.balance_on_ussd(translator(language), "*123*45#")
    assert "*123*45#" in text and "{" not in text
