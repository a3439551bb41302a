"""The webhook as the gateway sees it: token, unknown numbers, retries, odd input, outages."""

import threading

import pytest
from sqlalchemy import func, select

from ledger import db, events
from ledger.models import Purchase
from locales import DEFAULT_LANGUAGE, translator
from locales.gsm7 import to_gsm7
from tests.ussd.conftest import PIN, Words, check_answer
from ussd import conversation, sessions
from ussd.defaults import SESSION_TTL_SECONDS
from ussd.screens import SCREENS
from wsgi import create_app


def form(session_id, phone, text=""):
    return {
        "sessionId": session_id,
        "serviceCode": "*384*1#",
        "phoneNumber": phone,
        "networkCode": "63902",
        "text": text,
    }


def in_default_language(msgid):
    return "END " + to_gsm7(translator(None).gettext(msgid))


def purchases(session):
    session.expire_all()
    return session.scalar(select(func.count()).select_from(Purchase))


def to_confirmation(phone, world):
    handset = phone(world.buyer.phone)
    screen = handset.walk("8", PIN, world.member.phone, "1", "12#5", "1", "95")
    assert Words(world.buyer.language)("1 Confirm") in screen and screen.startswith("CON")
    return handset


def test_callback_token_guards_the_webhook(app, client, world):
    app.config["CALLBACK_TOKEN"] = "s3cret"
    assert client.post("/ussd", data=form("s1", world.member.phone)).status_code == 403
    assert client.post("/ussd?token=nope", data=form("s1", world.member.phone)).status_code == 403
    answer = client.post("/ussd?token=s3cret", data=form("s1", world.member.phone))
    assert answer.status_code == 200 and answer.mimetype == "text/plain"
    assert answer.get_data(as_text=True).startswith("CON ")


@pytest.mark.parametrize("number", ["not a phone", ""])
def test_odd_numbers_are_told_how_to_join(client, world, number):
    answer = client.post("/ussd", data=form("s1", number)).get_data(as_text=True)
    assert answer == in_default_language(conversation.NOT_REGISTERED)
    check_answer(answer)


def test_unknown_numbers_are_told_how_to_join_and_may_report(client, world):
    answer = client.post("/ussd", data=form("s1", "+243819999999")).get_data(as_text=True)
    check_answer(answer)
    w = Words(DEFAULT_LANGUAGE)
    assert answer == f"CON {w(conversation.NOT_REGISTERED)}\n1 {w('Report an incident')}"


def test_first_screen_is_the_menu_in_the_members_language(client, world):
    answer = client.post("/ussd", data=form("s1", world.member.phone)).get_data(as_text=True)
    w = Words(world.member.language)
    assert answer.startswith(f"CON {w('Sanduku: {name}', name='Amani')}\n1 {w('My savings')}")


def test_a_retried_confirmation_answers_the_same_and_buys_once(session, phone, world):
    handset = to_confirmation(phone, world)
    receipt = handset.reply("1")
    saved = Words(world.buyer.language).head("Saved. Receipt {receipt}.\n{miner} gets an SMS.")
    assert receipt.startswith(f"END {saved}R")
    assert handset.resend() == receipt
    assert handset.resend() == receipt
    assert purchases(session) == 1


def test_a_retried_step_does_not_advance_the_session(phone, world):
    handset = phone(world.member.phone)
    handset.dial()
    first = handset.reply("6")
    assert handset.resend() == first  # still the language screen, not a second "6"
    assert handset.reply("4").startswith("CON " + Words("en")("Language saved."))


def test_parallel_retries_of_a_confirmation_buy_once(app, session, phone, world):
    handset = to_confirmation(phone, world)
    handset.replies.append("1")
    answers = []

    def post():
        with app.test_client() as client:
            answers.append(
                client.post(
                    "/ussd", data=form(handset.session_id, world.buyer.phone, handset.text)
                ).get_data(as_text=True)
            )
            db.session.remove()

    threads = [threading.Thread(target=post) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(answers) == 4 and len(set(answers)) == 1, answers
    assert answers[0].startswith("END") and purchases(session) == 1


def test_an_answer_lost_after_a_write_is_not_written_again(session, phone, world, monkeypatch):
    handset = to_confirmation(phone, world)

    def broken_subscriber(_session, _purchase):
        raise RuntimeError("the receipt could not be written")

    monkeypatch.setitem(events._handlers, events.PURCHASE_RECORDED, [broken_subscriber])
    assert handset.reply("1") == "END " + to_gsm7(translator("sw").gettext(conversation.SORRY))
    assert purchases(session) == 0  # rolled back with the failed subscriber
    monkeypatch.setitem(events._handlers, events.PURCHASE_RECORDED, [])
    # The gateway retries: the step was pending, so the buyer is told to check, not re-written.
    retry = handset.resend()
    assert retry == "END " + to_gsm7(translator("sw").gettext(conversation.MAYBE_SAVED))
    assert handset.resend() == retry and purchases(session) == 0


def test_an_input_holding_star_is_read_as_the_replies_it_holds(phone, world):
    one_go = phone(world.member.phone)
    one_go.dial()
    together = one_go.reply(f"1*{PIN}")
    apart = phone(world.member.phone)
    apart.dial()
    apart.reply("1")
    assert apart.reply(PIN) == together and together.startswith("CON Groupe VSLA1")
    # and the session goes on from there
    title = Words(world.member.language)("Sanduku: {name}", name="Amani")
    assert one_go.reply("00").startswith("CON " + title)


def test_text_that_does_not_follow_on_ends_politely(client, world):
    client.post("/ussd", data=form("s1", world.member.phone))
    client.post("/ussd", data=form("s1", world.member.phone, "3"))
    answer = client.post("/ussd", data=form("s1", world.member.phone, "5*1")).get_data(as_text=True)
    assert answer == "END " + to_gsm7(translator("sw").gettext(conversation.SORRY))


def test_replies_dialled_with_the_code_are_walked(client, world):
    # *384*1*3# : the gateway's first request already holds "3"
    w = Words(world.member.language)
    answer = client.post("/ussd", data=form("short", world.member.phone, "3"))
    assert answer.get_data(as_text=True).startswith("CON " + w("No gold price posted yet."))
    answer = client.post("/ussd", data=form("short", world.member.phone, "3*00"))
    assert answer.get_data(as_text=True).startswith("CON " + w("Sanduku: {name}", name="Amani"))


def test_a_first_request_never_walks_into_a_write(session, client, world):
    """A session whose state was lost is walked again from its text, but stops at the
    confirmation: the purchase is written only on a "1" typed on a screen it has shown."""
    w = Words(world.buyer.language)
    text = f"8*{PIN}*{world.member.phone}*1*12#5*1*95*1"
    answer = client.post("/ussd", data=form("lost", world.buyer.phone, text))
    assert answer.get_data(as_text=True).startswith("CON Amani Furaha\nMine SITE1\n")
    assert w("1 Confirm") in answer.get_data(as_text=True) and purchases(session) == 0
    answer = client.post("/ussd", data=form("lost", world.buyer.phone, text + "*1"))
    saved = w.head("Saved. Receipt {receipt}.\n{miner} gets an SMS.")
    assert answer.get_data(as_text=True).startswith("END " + saved)
    assert purchases(session) == 1


def test_another_phone_cannot_continue_a_session(client, world):
    client.post("/ussd", data=form("s1", world.member.phone))
    answer = client.post("/ussd", data=form("s1", world.officer.phone, "3")).get_data(as_text=True)
    assert answer.startswith("END ")
    assert Words(world.member.language)("No gold price posted yet.") not in answer


def test_session_state_expires_a_little_after_the_gateways_session(app, client, world):
    client.post("/ussd", data=form("s1", world.member.phone))
    ttl = app.extensions["redis"].ttl(sessions.key("s1"))
    assert 180 < ttl <= SESSION_TTL_SECONDS


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"sessionId": "", "phoneNumber": "+243810000001", "text": ""},
        {"sessionId": "x" * 500, "phoneNumber": "+243810000001", "text": ""},
        {"sessionId": "s", "phoneNumber": "+243810000001", "text": "1*" * 800},
    ],
)
def test_malformed_requests_end_politely(client, world, data):
    answer = client.post("/ussd", data=data)
    assert answer.status_code == 200
    check_answer(answer.get_data(as_text=True))
    assert answer.get_data(as_text=True).startswith("END ")


def test_a_crashing_screen_ends_politely_and_is_logged(client, world, monkeypatch, caplog):
    def boom(ctx):
        raise ZeroDivisionError("bug")

    monkeypatch.setattr(SCREENS["savings"], "body", boom)
    client.post("/ussd", data=form("s1", world.member.phone))
    answer = client.post("/ussd", data=form("s1", world.member.phone, f"1*{PIN}"))
    assert answer.status_code == 200
    assert answer.get_data(as_text=True) == "END " + to_gsm7(
        translator("sw").gettext(conversation.SORRY)
    )
    (record,) = [r for r in caplog.records if "ussd request failed" in r.getMessage()]
    assert record.exc_info and "s1" in record.getMessage()
    assert PIN not in record.getMessage()  # the text holds PINs: never logged
    # the session is still usable afterwards
    answer = client.post("/ussd", data=form("s1", world.member.phone, "5"))
    meeting = Words(world.member.language).head("Next meeting of {group}:\n{day} at {time}")
    assert answer.get_data(as_text=True).startswith("CON " + meeting)


def test_redis_down_ends_cleanly(database_url, world):
    down = create_app(
        {"TESTING": True, "DATABASE_URL": database_url, "REDIS_URL": "redis://127.0.0.1:1/0"}
    )
    answer = down.test_client().post("/ussd", data=form("s1", world.member.phone))
    assert answer.status_code == 200
    assert answer.get_data(as_text=True) == in_default_language(conversation.UNAVAILABLE)


def test_database_down_ends_cleanly(database_url, redis_url, world):
    down = create_app(
        {"TESTING": True, "DATABASE_URL": "postgresql://127.0.0.1:1/none", "REDIS_URL": redis_url}
    )
    try:
        answer = down.test_client().post("/ussd", data=form("s1", world.member.phone))
        assert answer.status_code == 200
        assert answer.get_data(as_text=True) == in_default_language(conversation.UNAVAILABLE)
    finally:
        db.configure(database_url)


def test_only_post_is_answered(client):
    assert client.get("/ussd").status_code == 405
