"""Every screen, in every language, with the longest values a deployment will meet: long
names, amounts in the hundreds of millions of francs, 3-decimal weights. Each answer must be
at most 160 GSM-7 characters (checked by the phone on every answer) and no error or notice
may have been dropped to make a screen fit. The longest screens of each language are printed
(``pytest -s``), so the margin left is visible."""

import datetime as dt
import logging
import re

import pytest
from sqlalchemy import select

from ledger import gold, payouts, pins, vsla
from ledger.defaults import MAX_AMOUNT_MINOR
from ledger.meetings import MeetingRecord, record_meeting
from ledger.models import Payout, utcnow
from ledger.premiums.approve import approve
from ledger.premiums.plan import plan_premium
from locales import LANGUAGES
from tests import factories
from tests.ussd.conftest import PIN, Words, check_answer, yes_no_keys
from ussd import sessions
from ussd.defaults import (
    MAX_SCREEN_CHARS,
    MESSAGE_RESERVE_CHARS,
    NAME_CHARS,
    READ_ONLY_RESERVE_CHARS,
)
from ussd.screens import SCREENS
from ussd.screens.incident import SAVED as INCIDENT_SAVED
from ussd.screens.incident import UNKNOWN_SITE as INCIDENT_UNKNOWN_SITE
from ussd.screens.payout import PAID as PAY_PAID
from ussd.screens.unlock import CODE_FOR

FC = 100
#: A Monday about 23 months ago, whatever today is: the overdue loan below has run up the same
#: charges (billions of francs) on every run, never more as years go by.
CYCLE_START = dt.date.today() - dt.timedelta(days=700 + dt.date.today().weekday())
LONG = "Coopérative Minière des Exploitants Artisanaux d’Or de Mambasa-Mungbwalu et Environs"
#: Names as long as the books store (80 characters), with letters GSM-7 lacks.
NAMES = [
    (first + " Kahambu Furaha wa Dhedonga Bahemuka Mbuyi Kabasele Lokana Ndjoko Nzanzu")[:80]
    for first in ("Aimée-Françoise Ngɔ́", "Zawadi Marie-Thérèse")
]


@pytest.fixture
def worst(session):
    assert [len(name) for name in NAMES] == [80, 80]
    coop = factories.cooperative(session, "COOPLONG", LONG[:80])
    sites = [
        gold.create_site(
            session,
            code=f"SITE{n}",
            name=f"Site minier artisanal numéro {n} de la colline de Mongbwalu-Centre {n}",
            cooperative=coop,
            capacity_mg_per_month=10**9,
            status="green",
        )
        for n in range(6)
    ]
    group = vsla.create_group(
        session,
        code="VSLALONG",
        name=("Association Villageoise d’Epargne et de Crédit des Femmes Orpailleuses " * 2)[:80],
        currency="CDF",
        share_value=100_000_000 * FC,
        social_fund_contribution=10_000_000 * FC,
        service_charge_bp=1000,
        meeting_weekday=2,
        meeting_time=dt.time(16, 30),
        cycle_start=CYCLE_START,
        cooperative=coop,
    )
    actor = factories.member(
        session,
        group,
        name=NAMES[0],
        roles="member,miner,officer,buyer,coordinator",
        coop=coop,
    )
    other = factories.member(session, group, name=NAMES[1], coop=coop)
    shared = factories.phone()
    twins = [
        factories.member(session, group, name=f"Marie-Josée {rest}", number=shared, coop=coop)
        for rest in ("Kahambu Furaha wa Dhedonga Bahemuka Mbuyi", "Kavira Nzanzu Masika Kahindo")
    ]
    wednesdays = [CYCLE_START + dt.timedelta(days=2 + 7 * week) for week in (4, 5, 6)]
    for n, day in enumerate(wednesdays):
        records = [
            MeetingRecord(actor, shares=5, social_fund=10_000_000 * FC),
            MeetingRecord(other, shares=5, social_fund=10_000_000 * FC),
        ]
        if n == 1:
            records[0].loan = 999_999_999 * FC
            records[0].loan_term_months = 1
        if n == 2:  # paid and still owed: both in the hundreds of millions
            records[0].repayment = 999_999_999 * FC
        record_meeting(session, group, day, [], records)
    for n in range(12):
        gold.record_purchase(
            session,
            miner=actor,
            site=sites[n % 6],
            weight_mg=9_999_999,
            price_per_gram=999_99,
            currency="USD",
        )
    gold.post_price(session, coop, 999_99, 9_999_999_99)
    # Premiums in "My sales": the largest amount the books take, paid, to collect, carried.
    lot = gold.recent_purchases(session, actor, 1)[0].lot.lot_number
    for amount, currency in ((MAX_AMOUNT_MINOR, "CDF"), (MAX_AMOUNT_MINOR, "USD"), (1, "USD")):
        premium = plan_premium(
            session, cooperative=coop, amount=amount, currency=currency, basis="grams", lots=[lot]
        )
        approve(session, premium, approver=None, on=dt.date.today())
    pins.set_pin(session, actor, PIN)
    for twin in twins:
        pins.set_pin(session, twin, PIN)
    twins[0].pin_locked_until = utcnow() + dt.timedelta(days=1, hours=3)
    lonely = factories.member(session, name=NAMES[1].replace("Zawadi", "Zuhura"))
    pins.set_pin(session, lonely, PIN)
    session.commit()
    return actor, other, twins, shared, lonely


def tour(app, session, phone, worst, lang) -> dict[str, list[str]]:
    """Every registered screen, reached by every role of a member speaking ``lang``, with
    the slips members make. Returns every answer shown, by the screen on top (", END" when
    the answer closed the session)."""
    actor, other, twins, shared, lonely = worst
    for person in (actor, other, *twins, lonely):
        person.language = lang
    session.commit()
    redis = app.extensions["redis"]
    w = Words(lang)
    seen: set[str] = set()
    shown: dict[str, list[str]] = {}

    def record(handset, answer):
        state = sessions.load(redis, handset.session_id)
        where = state["stack"][-1][0] if state and state.get("stack") else "(first)"
        where = f"{where}, END" if answer.startswith("END") else where
        shown.setdefault(where, []).append(answer)
        return state

    def walk(number, *replies):
        handset = phone(number)
        answers = [handset.dial()]
        record(handset, answers[-1])
        for value in replies:
            if handset.ended:
                break
            answers.append(handset.reply(value))
            state = record(handset, answers[-1])
            seen.add(state["stack"][-1][0])
        state = sessions.load(redis, handset.session_id)
        if state:
            seen.update(name for name, _page in state["stack"])
        return answers

    language_key = str(LANGUAGES.index(lang) + 1)
    # A wrong key ("7") on each confirmation: its error line must fit above the screen.
    answers = walk(
        actor.phone,
        "98", "98", "0",
        "1", "1111", PIN, "00",
        "2", "98", "00",
        "3", "00",
        "4", "98", "98", "98", "00",
        "5", "00",
        "6", language_key,
        "7", "1357", "2468", "1357", "1357",
    )  # fmt: skip
    assert answers[-1].startswith(f"CON {w('PIN saved.')}")
    assert w.n("Wrong PIN. {n} try left.", "Wrong PIN. {n} tries left.", 2) in "".join(answers)
    # a session holds at most 30 replies: the purchase in a new one, with the new PIN
    answers = walk(
        actor.phone,
        "8", "1357", "12", shared, "1", "98", "1", "x", "9999#999", "5", "0#9999", "1", "7", "1",
    )  # fmt: skip
    assert answers[-1].startswith(
        "END " + w.head("Saved. Receipt {receipt}.\n{miner} gets an SMS.")
    )

    answers = walk(
        actor.phone,
        "9", "1357", "98", "0", "1", "9", "1", "1", "1", "abc", "5000000000", "1",
        "0", "0", "999999999", "7", "1", "00",
        "10", "999#99", "9999999#99", "7", "1",
    )  # fmt: skip
    said = "".join(answers)
    assert f"{w('Not saved:')}\n{w.head('Owes only {owed}.')}" in said
    assert w.head("Saved for {name}.") in said
    assert answers[-1] == "END " + w("Price posted. Members get an SMS.")

    # The meeting desk: a loan over the cap (refused), a fine, a grant above the social fund
    # (refused), attendance, a correction, the box counted far short, then closed.
    answers = walk(
        actor.phone,
        "13", "1357", "1", "1", "2", "x", "999999999", "9", "1", "7", "1", "0", "00",
    )  # fmt: skip
    assert w.head("{name} may borrow {cap}. Loan fund: {cash}.\nLoan in {currency}:") in (
        "".join(answers)
    )
    answers = walk(
        actor.phone,
        "13", "1357", "1", "2", "2", "4", "999999999", "7", "1",
        "3", "2", "999999999", "1", "00", "13", "1",
        "7", "2", "999999999", "7", "1",
    )  # fmt: skip
    assert w.head("Saved for {name}.") in "".join(answers)
    assert answers[-1].startswith(f"CON {w('Saved.')}")  # the expense
    # A member joining mid-cycle: the longest name, a bad phone, then hers; a wrong key on
    # the confirmation. Her name sorts last: the walk below picks the same members.
    joiner = NAMES[1].replace("Zawadi", "Zuhura")
    answers = walk(
        actor.phone,
        "13", "1357", "1", "8", "", joiner, "12345", "0812345679", "1", language_key, "7", "1",
    )  # fmt: skip
    assert w("Not a phone number.") in "".join(answers)
    assert answers[-1].startswith("CON " + w.head("Saved for {name}."))
    answers = walk(
        actor.phone,
        "13", "1357", "1", "4", "2", "3", "5", "2", "1",
        "6", "999999999", "999999999", "7", "1", "1",
    )  # fmt: skip
    assert w("The difference goes to the coordinator.") in "".join(answers)
    assert answers[-1] == "END " + w("Meeting closed. Members present get an SMS.")

    answers = walk(actor.phone, "11", "1357", shared, "1", "7", "1")
    assert w.head("PIN locked until {when}.") in answers[-2]
    assert answers[-1].startswith(f"END {w('PIN cleared.')}\n" + w.head(CODE_FOR))
    assert w("Shared phone: no SMS. Give it in person.") in answers[-1]

    # an enrolment code: refused for a member with a PIN, then for one without
    answers = walk(actor.phone, "12", "1357", shared, "2", "7", "1")
    assert answers[-1].startswith(f"CON {w('Not saved:')}\n{w('Has a PIN: 11 clears it.')}")
    answers = walk(actor.phone, "12", "1357", other.phone, "7", "1")
    assert w("Also sent to their phone by SMS.") in answers[-1]
    (code,) = re.findall(r"(?<!\d)\d{6}(?!\d)", answers[-1])
    wrong_code = f"{(int(code) + 1) % 10**6:06d}"
    answers = walk(other.phone, "1", "12345", wrong_code, code, "2468", "1357", "2468", "2468")
    assert w("PIN saved.") in answers[-1]
    assert w.n("Wrong code. {n} try left.", "Wrong code. {n} tries left.", 2) in "".join(answers)

    # a premium paid in cash: a shared phone, a malformed and a wrong code, then hers
    pending = session.scalars(
        select(Payout).where(Payout.member_id == actor.id).order_by(Payout.amount.desc())
    ).first()
    pending.code_hash = payouts.code_hash(pending.id, "424242")
    session.commit()
    answers = walk(
        actor.phone, "14", "1357", shared, "1", "0", "0", actor.phone, "12345", "999999", "424242"
    )
    assert answers[-1].startswith("END " + w.head(PAY_PAID))

    # An incident: a wrong site code, the list's next page, a wrong kind and a wrong answer.
    answers = walk(
        actor.phone, "15", "NOPE", "98", "1", "9", "1", "7", "1", "Watu wenye silaha " * 9
    )
    assert w(INCIDENT_UNKNOWN_SITE) in "".join(answers)
    assert answers[-1].startswith("END " + w.head(INCIDENT_SAVED))

    walk(shared)  # who is calling
    twins[1].pin_locked_until = utcnow() + dt.timedelta(days=1)
    session.commit()
    locked = w.head("PIN locked until {when}. Ask your officer to unlock it.")
    assert walk(shared, "2", "1")[-1].startswith("END " + locked)
    walk("+243819999999")  # not registered
    walk(lonely.phone, "1", PIN, "00", "2", "00", "5", "00", "8", "00", "4")

    # A screen added later must be added to the tour.
    assert seen == set(SCREENS), set(SCREENS) - seen
    return shown


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_screen_fits_in_every_language(app, session, phone, worst, lang, caplog):
    caplog.set_level(logging.WARNING, logger="sanduku.ussd")
    shown = tour(app, session, phone, worst, lang)
    dropped = [r.message for r in caplog.records if "too long" in r.message]
    assert dropped == []

    longest = {where: max((len(a) - 4, a) for a in answers) for where, answers in shown.items()}
    ranked = sorted(((n, where, text) for where, (n, text) in longest.items()), reverse=True)
    n, where, text = ranked[0]
    assert n <= MAX_SCREEN_CHARS
    print(f"\n{lang}: longest screen {n} of {MAX_SCREEN_CHARS} characters ({where}):\n{text}")
    print(f"{lang}: next longest: " + ", ".join(f"{where} {n}" for n, where, _ in ranked[1:8]))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_yes_no_screen_puts_yes_at_1_and_no_at_2(app, session, phone, worst, lang):
    """Every registered screen that offers yes and no (its options start with the words for
    yes or no, as in "Yes, type the amount") has yes at 1 and no at 2, in every language: an
    officer who presses 1 by habit says yes, never skips a repayment."""
    shown = tour(app, session, phone, worst, lang)
    choices: dict[str, list[tuple[list[str], list[str]]]] = {}
    for where, answers in shown.items():
        for answer in answers:
            keys = yes_no_keys(answer, [lang])
            if any(keys):
                choices.setdefault(where.removesuffix(", END"), []).append(keys)
    assert {"meet_social", "meet_repay"} <= set(choices)  # the search finds them
    wrong = {
        where: keys for where, keys in choices.items() if any(k != (["1"], ["2"]) for k in keys)
    }
    assert wrong == {}, "a yes/no screen without yes at 1 and no at 2 (both shown)"


def test_the_yes_no_check_catches_a_trap():
    """The old repayment question (1 No, 2 Yes...) and a yes/no split over two pages fail."""
    trap = "Amani owes 8,000 FC.\nRepayment today?\n1 No\n2 Yes, type the amount\n0 Back 00 Menu"
    assert yes_no_keys(trap, ["en"]) == (["2"], ["1"])
    with pytest.raises(AssertionError):
        check_answer("CON " + trap)
    split = "Remboursement aujourd'hui?\n1 Oui, tapez le montant\n98 Suite\n0 Retour 00 Menu"
    assert yes_no_keys(split, ["fr"]) == (["1"], [])
    assert yes_no_keys("Qui appelle?\n1 Tegra\n2 Nonda", ["ln", "fr"]) == ([], [])  # names


@pytest.mark.parametrize("lang", LANGUAGES)
def test_messages_above_a_list_fit_the_room_it_keeps(lang):
    """Lists keep room for one message line so their pages do not move: the read-only ones
    for "No more." and "Invalid choice.", the others also for the notices that land on them
    (with a first name of ``NAME_CHARS``)."""
    w, name = Words(lang), "N" * NAME_CHARS
    read_only = [w("No more."), w("Invalid choice.")]
    notices = [
        w("Saved for {name}.", name=name),
        w("Language saved."),
        w("PIN saved."),
    ]
    assert max(map(len, read_only)) <= READ_ONLY_RESERVE_CHARS, read_only
    assert max(map(len, read_only + notices)) <= MESSAGE_RESERVE_CHARS, notices
