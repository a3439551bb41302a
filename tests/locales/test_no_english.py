"""The demo in Swahili, Lingala or French shows no English.

Everyone of the demo speaks one language; they walk the USSD menus of their roles (member,
miner, officer, buyer, coordinator; first PINs, wrong keys, refusals, locks) and get their
SMS (a receipt, a price broadcast, reminders with and without a loan due, the replies to
every keyword). No screen and no SMS may hold the English of any message: its words between
placeholders, whole. The same search over an English demo finds plenty, so it can fail.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import string
from zoneinfo import ZoneInfo

import pytest
from babel.messages.pofile import read_po
from sqlalchemy import func, select

from ledger import demo, enrolment, pins, vsla
from ledger.models import Group, Loan, Member, Message, utcnow
from locales import DIR, DOMAIN, LANGUAGES
from sms import inbound, keywords, reminders, settings
from sms.gateways import Inbound
from tests.ussd.conftest import CheckedPhone
from ussd.dial import client_transport

#: Words that are the same in every language of the service.
EVERYONE = {"PIN", "SMS", "USSD", "FC", "Sanduku"}
#: English words a translation legitimately keeps, by language, and why.
SAME_WORDS = {
    "fr": {
        "Site:": "a mine site is a site in French",
        "Site": "the same word in French (a coordinator's alert about a site)",
        "Lot:": "a lot (ICGLR) is a lot in French",
        "Total:": "the same word in French",
        "Social:": "the same word in French (the social fund, on the officer's screen)",
    },
    "ln": {
        "Lot:": "Lingala writes the ICGLR lot as French does",
    },
    "sw": {},
}
#: The demo's people by phone (see ledger.demo.PEOPLE).
SHARED, OFFICER, MINER, SAVER, BUYER, COORDINATOR = (
    "+243810000001",
    "+243810000002",
    "+243810000003",
    "+243810000004",
    "+243810000005",
    "+243810000006",
)
FIRST_PIN, OTHER_PIN = "2580", "1357"


def english_fragments() -> set[str]:
    """The English words of every message shown, split at placeholders and line breaks."""
    with (DIR / f"{DOMAIN}.pot").open("rb") as handle:
        template = read_po(handle)
    vocabulary = set(keywords._MSGIDS.values())  # read from members, never shown as such
    fragments = set()
    for message in template:
        if not message.id or message.id in vocabulary:
            continue
        for msgid in message.id if message.pluralizable else (message.id,):
            for literal, *_field in string.Formatter().parse(msgid):
                for piece in literal.split("\n"):
                    piece = piece.strip()
                    words = set(re.findall(r"[A-Za-z]{3,}", piece))
                    if words - EVERYONE:
                        fragments.add(piece)
    return fragments


def english_in(text: str, lang: str) -> list[str]:
    allowed = SAME_WORDS.get(lang, {})
    return [
        fragment
        for fragment in english_fragments()
        if fragment not in allowed
        and re.search(rf"(?<![A-Za-z]){re.escape(fragment)}(?![A-Za-z])", text)
    ]


def walk(client, number: str, *replies: str) -> list[str]:
    handset = CheckedPhone(client_transport(client), number)  # fits and is GSM-7, too
    answers = [handset.dial()]
    for value in replies:
        if handset.ended:
            break
        answers.append(handset.reply(value))
    return answers


def screens(client, session) -> list[str]:
    """Every role of the demo through its menus, with the slips members make."""
    saver = session.scalar(select(Member).where(Member.phone == SAVER))
    pins.set_pin(session, saver, FIRST_PIN)
    session.commit()
    code = demo.CODES
    seen = []
    # the household phone: who is calling, a bad and a wrong code, the first PIN, every
    # member item, wrong keys
    seen += walk(
        client, SHARED,
        "7", "1", "1", "12345", "999999", code["Furaha Kahindo"], "1111", FIRST_PIN, "9999",
        FIRST_PIN, FIRST_PIN, "00", "2", "00", "3", "00", "4", "98", "98", "00", "5", "00",
    )  # fmt: skip
    seen += walk(
        client, SHARED,
        "1", "6", "9", "0", "98", "98", "42", "0", "7", FIRST_PIN, OTHER_PIN, OTHER_PIN, "00",
    )  # fmt: skip
    seen += walk(
        client, SHARED, "2", "4", code["Baraka Kahindo"], FIRST_PIN, FIRST_PIN, "0", "1", "00", "2"
    )
    # the language item, choosing the language already spoken
    seen += walk(client, SAVER, "6", str(LANGUAGES.index(saver.language) + 1))
    # wrong PINs until the lock, then the lock on a new dial
    seen += walk(client, SAVER, "1", "0000", "0001", "0002")
    seen += walk(client, SAVER, "1")
    # the officer: a meeting with a refusal, then unlocking the saver's PIN (a new code)
    seen += walk(
        client, OFFICER,
        "9", code["Mapendo Ngabo"], FIRST_PIN, FIRST_PIN, "98", "3", "9", "2", "1", "1", "abc",
        "99999999", "7", "1", "0", "0", "0", "2", "1", "00", "11", SAVER, "7", "1",
    )  # fmt: skip
    # enrolment codes: refused for a member with a PIN, issued on a shared phone and not
    seen += walk(client, OFFICER, "12", FIRST_PIN, SHARED, "1", "7", "1")
    seen += walk(client, OFFICER, "12", FIRST_PIN, SAVER, "1")
    seen += walk(client, SHARED, "2", "1")  # Baraka has his PIN: verified as usual
    # the buyer: a wrong number, a shared phone, a bad weight, then a purchase
    seen += walk(
        client, BUYER,
        "8", code["Neema Tsongo"], FIRST_PIN, FIRST_PIN, "55555", SHARED, "2", "1", "abc",
        "12#5", "5", "925", "1", "1",
    )  # fmt: skip
    seen += walk(client, BUYER, "8", FIRST_PIN, MINER, "1", "2", "1", "1", "1")
    # a member whose code was voided has none to type
    miner = session.scalar(select(Member).where(Member.phone == MINER))
    enrolment.void(session, miner, utcnow())
    session.commit()
    seen += walk(client, MINER, "1")
    # the coordinator posts a price
    seen += walk(
        client, COORDINATOR, "10", code["Dieudonne Ukumu"], FIRST_PIN, FIRST_PIN, "96#5", "x", "1",
        "1",
    )  # fmt: skip
    seen += walk(client, COORDINATOR, "10", FIRST_PIN, "97", "270000", "1")
    seen += walk(client, COORDINATOR, "11", FIRST_PIN, "999999")
    return seen


def texts(session, since: int) -> list[str]:
    """Every SMS written since message ``since``: the walk's receipts and prices, reminders
    the evening before and on the day of the meeting when a loan falls due, and the replies
    to every keyword of every language."""
    group = session.scalar(select(Group).where(Group.code == "UMOJA"))
    loan = session.scalar(select(Loan).where(Loan.group_id == group.id))
    s = dataclasses.replace(settings.current(), replies_per_hour=10_000)  # every keyword's reply
    tz = ZoneInfo(s.tz)
    meeting = vsla.next_meeting(group, dt.datetime.combine(loan.due_on, dt.time()))
    for local in (
        dt.datetime.combine(meeting.date() - dt.timedelta(days=1), dt.time(18, 5)),
        meeting - dt.timedelta(minutes=100),
    ):
        at = local.replace(tzinfo=tz).astimezone(dt.UTC).replace(tzinfo=None)
        assert reminders.write_due(session, s, now=at) > 0
    words = [*keywords.vocabulary(), "habari", "mbote", "bonjour"]
    for n, word in enumerate(words):
        new = inbound.record(session, Inbound(f"i18n-{since}-{n}", SAVER, word.lower()))
        inbound.process(session, new, s)
    inbound.process(
        session, inbound.record(session, Inbound(f"i18n-{since}-x", "+243819999999", "prix")), s
    )
    rows = session.scalars(select(Message.body).where(Message.id > since).order_by(Message.id))
    return list(rows)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_demo_in_each_language_shows_no_english(app, client, session, lang):
    demo.seed(session)
    for member in session.scalars(select(Member)):
        member.language = lang
    session.commit()
    since = session.scalar(select(func.max(Message.id))) or 0
    demo.issue_codes(session)  # the SMS of the codes, too
    session.commit()

    shown = screens(client, session)
    sent = texts(session, since)
    assert len(sent) > 20  # receipts, prices, reminders, replies

    found = {
        fragment: text
        for text in shown + sent
        for fragment in english_in(text, lang)
    }  # fmt: skip
    if lang == "en":
        assert len(found) > 40, sorted(found)  # the search finds English where it is
    else:
        assert found == {}, f"English in {lang}: {sorted(found)}"
