"""The member menu, end to end, in each of the four languages."""

import datetime as dt

import pytest
from babel.support import NullTranslations

from ledger import gold, vsla
from ledger.loans import open_loans
from ledger.meetings import MeetingRecord, record_meeting
from ledger.models import LoanStatus, Member
from ledger.premiums.approve import approve
from ledger.premiums.plan import plan_premium
from locales import LANGUAGES, translator
from locales.gsm7 import to_gsm7
from tests.ussd.conftest import PIN, Words
from ussd import context
from ussd.screens.member import LOAN, LOAN_STATUS, PREMIUM_STATUS

FC = 100


def door(lang):
    """What the i18n door formats for this language, as the phone shows it."""
    t = translator(lang)

    class Shown:
        def money(self, minor, currency):
            return to_gsm7(t.money(minor, currency))

        def __getattr__(self, name):
            method = getattr(t, name)
            return lambda *a, **k: to_gsm7(method(*a, **k))

    return Shown()


@pytest.fixture(params=LANGUAGES)
def lang(request, session, world):
    world.member.language = request.param
    session.commit()
    return request.param


def save_meeting(session, world, **record):
    record_meeting(
        session,
        world.group,
        dt.date.today(),
        [world.member],
        [MeetingRecord(world.member, **record)],
    )
    session.commit()


def test_savings(session, phone, world, lang):
    save_meeting(session, world, shares=4, social_fund=200 * FC)
    screen = phone(world.member.phone).walk("1", PIN)
    shown, w, t = door(lang), Words(lang), translator(lang)
    assert screen.startswith("CON Groupe VSLA1\n")
    assert shown.money(4000 * FC, "CDF") in screen and shown.money(200 * FC, "CDF") in screen
    savings = w(
        "{group}\nShares: {shares}\nSavings: {savings}\nSocial fund: {social}",
        group="Groupe VSLA1",
        shares=t.number(4),
        savings=t.money(4000 * FC, "CDF"),
        social=t.money(200 * FC, "CDF"),
    )
    assert screen == f"CON {savings}\n{w('0 Back 00 Menu')}"


def test_loan(session, phone, world, lang):
    save_meeting(session, world, shares=5)
    save_meeting(session, world, loan=4_000 * FC, loan_term_months=2)
    (loan,) = open_loans(session, world.member)
    screen = phone(world.member.phone).walk("2", PIN)
    shown = door(lang)
    for amount in (4_000 * FC, loan.charged, loan.outstanding):
        assert shown.money(amount, "CDF") in screen
    assert shown.date(loan.due_on) in screen
    t = translator(lang)
    row = Words(lang)(
        LOAN,
        principal=t.money(4_000 * FC, "CDF"),
        charge=t.money(loan.charged, "CDF"),
        paid=t.money(0, "CDF"),
        owed=t.money(loan.outstanding, "CDF"),
        due=t.date(loan.due_on),
        status=t.gettext(LOAN_STATUS[LoanStatus.OPEN]),
    )
    assert row in screen


def test_a_late_loan_reads_late(session, phone, world, lang):
    """Past its pay-by date the status says so, in words that cannot be read as "fine"."""
    long_ago = dt.date.today() - dt.timedelta(days=120)
    for record in (MeetingRecord(world.member, shares=5), MeetingRecord(world.member, loan=100_00)):
        record_meeting(session, world.group, long_ago, [world.member], [record])
    session.commit()
    screen = phone(world.member.phone).walk("2", PIN)
    w = Words(lang)
    assert f"({w('overdue')})" in screen and f"({w('on time')})" not in screen


def test_no_loan(phone, world, lang):
    screen = phone(world.member.phone).walk("2", PIN)
    assert to_gsm7(translator(lang).gettext("You have no loan.")) in screen


def test_gold_prices_need_no_pin(session, phone, world, lang):
    handset = phone(world.member.phone)
    assert Words(lang)("No gold price posted yet.") in handset.walk("3")
    post = gold.post_price(session, world.coop, 95_50, 270_000_00)
    session.commit()
    screen = phone(world.member.phone).walk("3")
    shown = door(lang)
    assert shown.money(95_50, "USD") in screen and shown.money(270_000_00, "CDF") in screen
    assert shown.date(post.posted_at) in screen and shown.time(post.posted_at) in screen
    assert "PIN" not in screen


def test_my_sales_page_through(session, phone, world, lang):
    made = [
        gold.record_purchase(
            session,
            miner=world.member,
            site=world.site,
            weight_mg=1000 * (n + 1) + 250,
            price_per_gram=95_00,
            currency="USD",
        )
        for n in range(7)
    ]
    session.commit()
    newest_first = [p.receipt_number for p in reversed(made)]
    w = Words(lang)
    handset = phone(world.member.phone)
    pages = [handset.walk("4", PIN)]
    while w("98 More") in pages[-1]:
        pages.append(handset.reply("98"))
    assert len(pages) >= 3
    seen = [r for page in pages for r in newest_first if r in page]
    assert seen == newest_first  # each once, newest first, across pages
    assert door(lang).grams(7250) in pages[0]
    assert handset.reply("98").startswith("CON " + w("No more."))
    assert handset.reply("0") == pages[-2]  # 0 goes back a page
    assert handset.reply("00").startswith("CON " + w("Sanduku: {name}", name="Amani"))


def test_next_meeting_in_local_time(phone, world, lang):
    screen = phone(world.member.phone).walk("5")
    t = translator(lang)
    when = vsla.next_meeting(world.group, t.local(dt.datetime.now(dt.UTC)))
    assert to_gsm7(t.day(when.date())) in screen and t.date(when.date()) in screen
    assert "15:00" in screen
    # The weekday's name only where members read it one way (locales/GLOSSARY.md): not the
    # Swahili of CLDR (Jumatatu...) nor its Lingala (mposo is also "week").
    assert (to_gsm7(t.weekday(when.date())) in screen) == (lang in ("fr", "en"))


@pytest.mark.parametrize(("key", "chosen"), [("1", "sw"), ("2", "ln"), ("3", "fr"), ("4", "en")])
def test_language_is_stored(session, phone, world, lang, key, chosen):
    screen = phone(world.member.phone).walk("6", key)
    w = Words(chosen)  # the notice and the menu are in the new language
    assert screen.startswith(f"CON {w('Language saved.')}\n{w('Sanduku: {name}', name='Amani')}")
    session.expire_all()
    assert session.get(Member, world.member.id).language == chosen


def test_change_pin(session, phone, world, lang):
    w = Words(lang)
    handset = phone(world.member.phone)
    assert w("New PIN of 4 digits:") in handset.walk("7", PIN)
    assert w("Type the same PIN again:") in handset.reply("2468")
    assert handset.reply("2468").startswith("CON " + w("PIN saved."))
    # a new session knows only the new PIN
    wrong = w.n("Wrong PIN. {n} try left.", "Wrong PIN. {n} tries left.", 2)
    assert wrong in phone(world.member.phone).walk("1", PIN)
    assert phone(world.member.phone).walk("1", "2468").startswith("CON Groupe VSLA1")


def test_back_and_main(phone, world, lang):
    w = Words(lang)
    handset = phone(world.member.phone)
    menu = handset.dial()
    assert handset.reply("5").endswith(w("0 Back 00 Menu"))
    assert handset.reply("0") == menu
    handset.reply("6")
    assert handset.reply("00") == menu
    assert handset.reply("0") == menu  # nowhere further back than the menu
    title = w("Sanduku: {name}", name="Amani")
    assert handset.reply("42").startswith(f"CON {w('Invalid choice.')}\n{title}")


def test_screens_use_the_members_catalog(session, phone, world, lang, monkeypatch):
    """Words come from the catalog of the member's language (a stand-in catalog here, the
    real ones being filled later): the menu shows that language's words."""
    words = {"sw": "Akiba yangu", "ln": "Mbongo nabombi", "fr": "Mon épargne", "en": "My savings"}

    class Catalog(NullTranslations):
        def __init__(self, lang):
            super().__init__()
            self.lang = lang

        def gettext(self, message):
            return words[self.lang] if message == "My savings" else message

    real = context.translator

    def fake(language, tz="Africa/Lubumbashi"):
        t = real(language, tz)
        copy = type(t).__new__(type(t))
        copy.__dict__.update(t.__dict__, _t=Catalog(t.language))
        return copy

    monkeypatch.setattr(context, "translator", fake)
    screen = phone(world.member.phone).dial()
    assert f"\n1 {to_gsm7(words[lang])}\n" in screen


def test_my_sales_shows_premiums_received(session, phone, world, lang):
    lot = gold.record_purchase(
        session,
        miner=world.member,
        site=world.site,
        weight_mg=10_000,
        price_per_gram=95_00,
        currency="USD",
    ).lot.lot_number
    for amount in (12_34, 20):  # the second is below the minimum: kept for the next
        premium = plan_premium(
            session,
            cooperative=world.coop,
            amount=amount,
            currency="USD",
            basis="grams",
            lots=[lot],
        )
        approve(session, premium, approver=None, on=dt.date.today())
    session.commit()
    w, shown = Words(lang), door(lang)
    screen = phone(world.member.phone).walk("4", PIN)
    status = {key: w(PREMIUM_STATUS[key]) for key in PREMIUM_STATUS}
    assert shown.money(12_34, "USD") in screen and status["to_collect"] in screen
    assert shown.money(20, "USD") in screen and status["carried"] in screen
    assert screen.index(shown.money(20, "USD")) < screen.index(shown.money(12_34, "USD"))
