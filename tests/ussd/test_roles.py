"""Buyer, officer and coordinator menus, end to end, in each of the four languages."""

import datetime as dt

import pytest
from sqlalchemy import select

from ledger import events, gold, vsla
from ledger.loans import open_loans
from ledger.meetings import MeetingRecord, record_meeting
from ledger.models import Attendance, Member, PricePost, Purchase
from locales import LANGUAGES, translator
from locales.gsm7 import to_gsm7
from tests import factories
from tests.ussd.conftest import PIN, Words
from ussd.screens.coordinator import ASK_CDF

FC = 100


@pytest.fixture(params=LANGUAGES)
def lang(request, session, world):
    for person in (world.buyer, world.officer, world.coordinator):
        person.language = request.param
    session.commit()
    return request.param


@pytest.fixture
def announced(monkeypatch):
    """What the books announce to the SMS layer, in order."""
    seen = []
    for name in (events.PURCHASE_RECORDED, events.PRICE_POSTED):
        handlers = [*events._handlers[name], lambda _s, subject, n=name: seen.append((n, subject))]
        monkeypatch.setitem(events._handlers, name, handlers)
    return seen


def all_purchases(session):
    session.expire_all()
    return list(session.scalars(select(Purchase)))


# -- buyer ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("weight", "mg"), [("12#5", 12_500), ("12.5", 12_500), ("12,125", 12_125), ("7", 7_000)]
)
def test_buyer_records_a_purchase_at_the_posted_price(
    session, phone, world, lang, announced, weight, mg
):
    gold.post_price(session, world.coop, 95_50, 270_000_00)
    session.commit()
    w = Words(lang)
    handset = phone(world.buyer.phone)
    assert handset.walk("8").startswith("CON " + w("Enter your PIN:"))
    assert w("Buy gold.\nMiner's phone or member number:") in handset.reply(PIN)
    sites = handset.reply(world.member.phone)
    assert "1 Mine SITE1" in sites and "REDSITE" not in sites  # red sites are not offered
    assert w("Weight in grams:\n(12#5 = 12.5 g)") in handset.reply("1")
    shown = translator(lang)
    assert w("Fineness in thousandths:\n(925 or 0#925)\n1 Skip: not known") in handset.reply(weight)
    assert to_gsm7(shown.money(95_50, "USD")) in handset.reply("1")  # no fineness
    confirm = handset.reply("1")  # the posted price
    total = gold.round_half_up(gold.Decimal(mg) * 95_50 / 1000)
    assert confirm.startswith("CON Amani Furaha\nMine SITE1\n")
    assert to_gsm7(shown.grams(mg)) in confirm and to_gsm7(shown.money(total, "USD")) in confirm
    receipt = handset.reply("1")
    (purchase,) = all_purchases(session)
    saved = "Saved. Receipt {receipt}.\n{miner} gets an SMS."
    # Amani is a member but not a registered miner (no ID, no miner role): the purchase is
    # saved, and the buyer is told a warning went to the coordinator.
    warned = to_gsm7(
        shown.ngettext(
            "{n} warning sent to the coordinator.", "{n} warnings sent to the coordinator.", 1
        )
    )
    assert receipt == "END " + w(saved, receipt=purchase.receipt_number, miner="Amani") + (
        "\n" + warned
    )
    assert (purchase.miner_id, purchase.buyer_id, purchase.site_id) == (
        world.member.id,
        world.buyer.id,
        world.site.id,
    )
    assert (purchase.weight_mg, purchase.price_per_gram, purchase.total) == (mg, 95_50, total)
    assert [name for name, _ in announced] == [events.PRICE_POSTED, events.PURCHASE_RECORDED]


def test_a_purchase_from_a_registered_miner_raises_no_warning(session, phone, world, lang):
    world.member.roles, world.member.id_document = "member,miner", "CD-ITU-00001"
    gold.post_price(session, world.coop, 95_50)
    session.commit()
    handset = phone(world.buyer.phone)
    receipt = handset.walk("8", PIN, world.member.phone, "1", "5", "1", "1", "1")
    (purchase,) = all_purchases(session)
    saved = "Saved. Receipt {receipt}.\n{miner} gets an SMS."
    assert receipt == "END " + Words(lang)(saved, receipt=purchase.receipt_number, miner="Amani")


def test_buyer_types_a_price_and_finds_the_miner_by_member_number(session, phone, world, lang):
    w = Words(lang)
    handset = phone(world.buyer.phone)
    handset.walk("8", PIN, str(world.member.id), "1", "3", "1")
    assert handset.last == f"CON {w('Price per gram in $:')}\n{w('0 Back 00 Menu')}"
    assert handset.reply("abc").startswith("CON " + w("Type a number."))
    assert handset.reply("2000").startswith("CON " + w("Too large."))
    handset.reply("101#25")
    handset.reply("1")
    (purchase,) = all_purchases(session)
    assert (purchase.weight_mg, purchase.price_per_gram, purchase.total) == (3000, 101_25, 303_75)


def test_buyer_picks_the_miner_on_a_shared_phone(session, phone, world, lang):
    handset = phone(world.buyer.phone)
    which = f"CON {Words(lang)('Which one?')}\n1 Furaha\n2 Dieudonne"
    assert handset.walk("8", PIN, world.shared).startswith(which)
    handset.reply("2")
    handset.reply("1")
    handset.reply("2")
    handset.reply("1")  # no fineness
    handset.reply("90")
    handset.reply("1")
    (purchase,) = all_purchases(session)
    assert purchase.miner_id == world.husband.id


def test_buyer_input_errors_are_shown_on_the_same_screen(session, phone, world, lang):
    w = Words(lang)
    weight = w("Weight in grams:\n(12#5 = 12.5 g)")
    handset = phone(world.buyer.phone)
    handset.walk("8", PIN)
    assert handset.reply("+243819999999").startswith(f"CON {w('No member with this number.')}\n")
    assert handset.reply("99999").startswith(f"CON {w('No member with this number.')}\n")
    handset.reply(world.member.phone)
    handset.reply("1")
    assert handset.reply("0").startswith("CON " + w("Site of the gold:"))  # back, not a weight
    handset.reply("1")
    assert handset.reply("12#5#5").startswith(f"CON {w('Type a number.')}\n{weight}")
    assert handset.reply("12#5555").startswith(f"CON {w('Too many decimals.')}\n{weight}")
    assert handset.reply("20000").startswith(f"CON {w('Out of range.')}\n{weight}")
    handset.reply("10")
    handset.reply("1")  # no fineness
    handset.reply("95")
    assert handset.reply("2").startswith(f"CON {w('Invalid choice.')}\n")
    assert handset.reply("0").startswith("CON " + w("Price per gram in $:"))  # change the price
    assert all_purchases(session) == []


def test_a_buyer_without_a_cooperative_is_told(session, phone, world, lang):
    world.buyer.cooperative_id = None
    session.commit()
    told = Words(lang)("You are not attached to a cooperative.")
    handset = phone(world.buyer.phone)
    assert told in handset.walk("8", PIN)
    assert told in handset.reply(world.member.phone)


# -- officer ----------------------------------------------------------------------------------


def test_officer_records_members_one_at_a_time(session, phone, world, lang):
    handset = phone(world.officer.phone)
    shown, w = translator(lang), Words(lang)
    today = shown.local(dt.datetime.now(dt.UTC)).date()
    who = w("Meeting {date}, who? (+ done)", date=shown.date(today))
    names = handset.walk("9", PIN)
    assert names.startswith(f"CON {who}\n1 Amani Furaha\n")
    shares = handset.reply("1")
    ask = w.parts("{name}\nShares (1-{max}) at {value}:")[1]  # the words after the name
    assert shares.startswith("CON Amani Furaha" + ask)
    assert handset.reply("6").startswith("CON " + w("Type 1 to {max}.", max=5))
    assert handset.reply("3").startswith("CON " + w.head("Social fund {amount}?"))
    confirm = handset.reply("1")
    record = (
        "{name}\nShares: {shares} = {value}\nSocial: {social}\nRepaid: {repaid}\nTotal: {total}"
    )
    assert confirm.startswith("CON Amani Furaha" + w.parts(record)[1] + "3")
    assert to_gsm7(shown.money(3200 * FC, "CDF")) in confirm
    saved = handset.reply("1")
    assert saved.startswith(f"CON {w('Saved for {name}.', name='Amani')}\n{who}")
    assert "1 Amani Furaha +" in saved
    # the next member, without social fund
    handset.reply("3")  # Furaha Dhedonga
    handset.reply("2")
    handset.reply("2")
    handset.reply("1")
    session.expire_all()
    assert vsla.savings_of(session, world.member) == 3000 * FC
    assert vsla.savings_of(session, world.wife) == 2000 * FC
    present = set(session.scalars(select(Attendance.member_id).where(Attendance.present.is_(True))))
    assert present == {world.member.id, world.wife.id}


def test_officer_records_a_repayment_and_sees_ledger_refusals(session, phone, world, lang):
    today = dt.date.today()
    for person in (world.member, world.wife):
        record_meeting(session, world.group, today, [person], [MeetingRecord(person, shares=5)])
    record_meeting(session, world.group, today, [], [MeetingRecord(world.member, loan=6000 * FC)])
    session.commit()
    (loan,) = open_loans(session, world.member)
    shown, w = translator(lang), Words(lang)
    handset = phone(world.officer.phone)
    shares = handset.walk("9", PIN, "1")
    assert w("Already today: {n}", n=5) in shares
    handset.reply("1")
    repay = handset.reply("2")
    assert repay.startswith("CON Amani" + w.parts("{name} owes {owed}.\nRepayment today?")[1])
    assert to_gsm7(shown.money(loan.outstanding, "CDF")) in repay
    assert repay.split("\n")[-3:-1] == [f"1 {w('Yes, type the amount')}", f"2 {w('No')}"]
    handset.reply("1")
    handset.reply("1000000")
    refused = handset.reply("1")
    # The sixth share is refused by the books, and nothing is written.
    why = w("Already {bought} shares today; at most {max}.", bought=5, max=5)
    assert refused == f"CON {w('Not saved:')}\n{why}\n{w('0 Back 00 Menu')}"
    session.expire_all()
    assert vsla.savings_of(session, world.member) == 5000 * FC

    # Back to the list (refusal, confirm, amount, repay, social, shares), on to another member.
    for _ in range(6):
        handset.reply("0")
    handset.reply("2")  # Dieudonne: no loan, so no repayment question
    handset.reply("1")
    record = (
        "{name}\nShares: {shares} = {value}\nSocial: {social}\nRepaid: {repaid}\nTotal: {total}"
    )
    assert handset.reply("2").startswith("CON Dieudonne Dhedonga" + w.parts(record)[1] + "1")
    handset.reply("00")


def test_officer_repayment_above_what_is_owed_is_refused(session, phone, world, lang):
    last_week = dt.date.today() - dt.timedelta(days=7)
    records = [
        MeetingRecord(world.wife, shares=5),
        MeetingRecord(world.member, shares=5, loan=6000 * FC, loan_term_months=1),
    ]
    record_meeting(session, world.group, last_week, [], records)
    session.commit()
    (loan,) = open_loans(session, world.member)
    handset = phone(world.officer.phone)
    handset.walk("9", PIN, "1", "1")
    handset.reply("2")  # no social fund
    handset.reply("1")  # yes, a repayment
    too_much = loan.outstanding + 1000 * FC
    handset.reply(str(too_much // FC))
    refused = handset.reply("1")
    w = Words(lang)
    owed = w("Owes only {owed}.", owed=translator(lang).money(loan.outstanding, "CDF"))
    assert refused == f"CON {w('Not saved:')}\n{owed}\n{w('0 Back 00 Menu')}"
    record = (
        "{name}\nShares: {shares} = {value}\nSocial: {social}\nRepaid: {repaid}\nTotal: {total}"
    )
    assert handset.reply("0").startswith("CON Amani Furaha" + w.parts(record)[1] + "1")
    handset.reply("0")
    handset.reply(str(loan.outstanding // FC))
    assert handset.reply("1").startswith("CON " + w("Saved for {name}.", name="Amani"))
    session.expire_all()
    assert open_loans(session, world.member) == []


def test_officer_list_pages_through_a_big_group(session, phone, world, lang):
    for n in range(25):
        factories.member(session, world.group, name=f"Mwanachama Mrefu Sana Jina {n:02d} Kabila")
    session.commit()
    w = Words(lang)
    handset = phone(world.officer.phone)
    pages = [handset.walk("9", PIN)]
    while w("98 More") in pages[-1]:
        pages.append(handset.reply("98"))
    everyone = [
        line
        for page in pages
        for line in page.split("\n")[1:]
        if line[:1].isdigit() and not line.startswith(("98 ", "0 "))
    ]
    assert [int(line.split()[0]) for line in everyone] == list(range(1, 30))
    assert handset.reply("0") == pages[-2]
    # a number from another page still picks that member
    chosen = next(line for line in everyone if line.startswith("29 "))
    assert handset.reply("29").startswith("CON " + chosen.split(" ", 1)[1].removesuffix(" +"))
    assert handset.reply("00").startswith("CON " + w("Sanduku: {name}", name="Neema"))


def test_an_officer_without_a_group_is_told(session, phone, world, lang):
    world.officer.group_id = None
    session.commit()
    told = Words(lang)("You are not in a savings group.")
    assert told in phone(world.officer.phone).walk("9", PIN)


# -- coordinator ------------------------------------------------------------------------------


@pytest.mark.parametrize(("cdf", "cdf_minor"), [("270000", 270_000_00), ("1", None)])
def test_coordinator_posts_the_price(session, phone, world, lang, announced, cdf, cdf_minor):
    shown, w = translator(lang), Words(lang)
    handset = phone(world.coordinator.phone)
    assert w("Today's gold price\nin $ per gram:\n(95#5 = 95.50 $)") in handset.walk("10", PIN)
    assert w(ASK_CDF) in handset.reply("95#5")
    confirm = handset.reply(cdf)
    post_for = w("Post for {cooperative}:", cooperative="Cooperative de Bunia")
    assert confirm.startswith(f"CON {post_for}\n")
    assert to_gsm7(shown.money(95_50, "USD")) in confirm
    assert (to_gsm7(shown.money(cdf_minor, "CDF")) in confirm) if cdf_minor else "FC" not in confirm
    assert handset.reply("1") == "END " + w("Price posted. Members get an SMS.")
    session.expire_all()
    (post,) = session.scalars(select(PricePost))
    assert (post.usd_per_gram, post.cdf_per_gram, post.posted_by_id) == (
        95_50,
        cdf_minor,
        world.coordinator.id,
    )
    assert [name for name, _ in announced] == [events.PRICE_POSTED]
    # members read it at once, in their own language
    theirs = translator(world.member.language)
    assert to_gsm7(theirs.money(95_50, "USD")) in phone(world.member.phone).walk("3")


def test_roles_see_their_items_and_members_do_not(session, phone, world):
    menus = {
        who: "\n".join([phone(person.phone).dial(), phone(person.phone).walk("98")])
        for who, person in {
            "member": world.member,
            "buyer": world.buyer,
            "officer": world.officer,
            "coordinator": world.coordinator,
        }.items()
    }
    w = Words(world.member.language)  # everyone's, here
    buy, record, post, unlock = (
        w(label) for label in ("Buy gold", "Record meeting", "Post gold price", "Unlock a PIN")
    )
    assert f"8 {buy}" not in menus["member"] and "9 " not in menus["member"]
    assert f"8 {buy}" in menus["buyer"] and "11 " not in menus["buyer"]
    assert f"9 {record}" in menus["officer"] and f"11 {unlock}" in menus["officer"]
    assert f"10 {post}" in menus["coordinator"] and f"11 {unlock}" in menus["coordinator"]
    for role_item in ("8", "9", "10", "11"):
        assert phone(world.member.phone).walk(role_item).startswith("CON " + w("Invalid choice."))
    assert session.get(Member, world.member.id).roles == "member"
