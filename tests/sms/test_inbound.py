"""Inbound SMS: keywords in any language, case and accents ignored; STOP/START; PRICE; BALANCE
never by SMS; help for the rest; strangers recorded, not answered; a repeated callback acted
on once; the token guard."""

from __future__ import annotations

import itertools

from ledger import db, gold
from ledger.models import InboundMessage, Member, MessageKind
from locales import translator
from sms import templates
from sms.keywords import Action, read
from tests import factories
from tests.sms.conftest import messages, wait_until

_ids = itertools.count(1)


def text(client, phone: str, body: str, sms_id: str | None = None, **params):
    answer = client.post(
        "/sms/inbound",
        query_string=params,
        data={
            "from": phone,
            "to": "12345",
            "text": body,
            "date": "2026-01-02 15:04:05",
            "id": sms_id or f"in-{next(_ids)}",
            "linkId": "",
        },
    )
    return answer


def reply(language: str, msgid: str) -> str:
    """A reply as a member of ``language`` gets it."""
    return templates.plain(translator(language), msgid)


def opted_out(member_id: int) -> bool:
    with _session() as s:
        return s.get(Member, member_id).opted_out


def _processed() -> list[bool]:
    with _session() as s:
        return [i.processed_at is not None for i in s.query(InboundMessage)]


def _session():
    from sqlalchemy.orm import Session

    return Session(db.engine())


def test_keywords_are_read_in_every_language():
    assert read("stop") == read(" Arrêt! ") == Action.STOP
    assert read("START please") == Action.START
    for word in ("price", "PRIX", "bei", "Ntalo"):
        assert read(word) == Action.PRICE
    for word in ("balance", "Solde", "salio"):
        assert read(word) == Action.BALANCE
    assert read("habari") == read("") == read("?!") == Action.HELP


def test_callbacks_require_the_token_when_set(app, client):
    app.config["CALLBACK_TOKEN"] = "s3cret"
    assert text(client, "+243810000001", "stop").status_code == 403
    assert text(client, "+243810000001", "stop", token="wrong").status_code == 403
    assert client.post("/sms/delivery", data={"id": "x", "status": "Success"}).status_code == 403
    assert text(client, "+243810000001", "stop", token="s3cret").status_code == 200
    assert (
        client.post(
            "/sms/delivery", query_string={"token": "s3cret"}, data={"id": "x", "status": "Sent"}
        ).status_code
        == 200
    )


def test_keywords_opt_out_price_balance_and_help(session, client, fake, workers):
    coop = factories.cooperative(session)
    amani = factories.member(session, coop=coop, language="sw")
    neema = factories.member(session, coop=coop, language="fr")
    stranger = factories.phone()
    gold.post_price(session, coop, usd_per_gram=96_25)  # before anyone opts out
    session.commit()
    workers.start(USSD_CODE="*123*45#")  # the code members dial, named in the BALANCE reply
    fake.wait_for(lambda: len(fake.requests) == 2, 10, "the first price SMS")

    assert text(client, amani.phone, "stop", sms_id="dup-1").status_code == 200
    assert text(client, amani.phone, "stop", sms_id="dup-1").status_code == 200  # repeated
    assert text(client, neema.phone, "Arrêt").status_code == 200
    wait_until(lambda: opted_out(amani.id) and opted_out(neema.id), 10, "both opted out")
    fake.wait_for(lambda: len(fake.texts_to(neema.phone)) == 2, 10, "Neema's reply")
    assert fake.texts_to(amani.phone)[1:] == [reply("sw", templates.STOPPED)]  # once only

    # Opted out: the next price goes to nobody of the two.
    gold.post_price(session, coop, usd_per_gram=97_00)
    session.commit()
    assert text(client, neema.phone, "START").status_code == 200
    wait_until(lambda: not opted_out(neema.id), 10, "Neema back in")

    text(client, amani.phone, "Prix")
    text(client, neema.phone, "solde")
    text(client, amani.phone, "habari")
    text(client, stranger, "bei")
    fake.wait_for(lambda: len(fake.texts_to(amani.phone)) == 4, 10, "Amani's replies")
    fake.wait_for(lambda: len(fake.texts_to(neema.phone)) == 4, 10, "Neema's replies")

    to_amani = fake.texts_to(amani.phone)
    assert "97 $/g" in to_amani[2]  # the latest price (whole dollars without cents)
    assert to_amani[3] == reply("sw", templates.HELP)
    assert fake.texts_to(neema.phone)[2:] == [
        reply("fr", templates.STARTED),
        templates.balance_on_ussd(translator("fr"), "*123*45#"),
    ]
    assert "*123*45#" in fake.texts_to(neema.phone)[3]
    # Nobody got the second broadcast (both had opted out when it was posted).
    price_rows = [m for m in messages() if m.kind == MessageKind.PRICE]
    assert len(price_rows) == 2

    with _session() as s:
        inbound = list(s.query(InboundMessage).order_by(InboundMessage.id))
    assert len(inbound) == 7  # the repeat was not stored twice
    wait_until(lambda: all(_processed()), 10, "every inbound SMS processed")
    assert fake.texts_to(stranger) == []  # a stranger is never answered
    assert inbound[-1].reply_id is None
    assert [i.action for i in inbound] == [
        "stop",
        "stop",
        "start",
        "price",
        "balance",
        "help",
        "price",
    ]
    replies = [m for m in messages() if m.kind == MessageKind.REPLY]
    assert {(m.member_id, m.language) for m in replies if m.phone == neema.phone} == {
        (neema.id, "fr")
    }
