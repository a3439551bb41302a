"""``sanduku dial``: the terminal phone, in-process and against a running server."""

import threading

import pytest
from werkzeug.serving import make_server

from ledger import db
from locales import DEFAULT_LANGUAGE
from tests.ussd.conftest import PIN, Words
from ussd import conversation


def test_dial_prints_every_screen_of_a_script(runner, world):
    result = runner.invoke(args=["dial", world.member.phone, "--inputs", f"1*{PIN}*00*5*0"])
    assert result.exit_code == 0, result.output
    out, w = result.output, Words(world.member.language)
    menu = "CON " + w("Sanduku: {name}", name="Amani")
    assert out.startswith(f"> *384*1#\n{menu}\n1 {w('My savings')}")
    assert f"> 1\nCON {w('Enter your PIN:')}" in out and f"> {PIN}\nCON Groupe VSLA1\n" in out
    meeting = "Next meeting of {group}:\n{day} at {time}"
    assert f"> 5\nCON {w.head(meeting)}Groupe VSLA1" in out
    assert out.count(menu) == 3


def test_dial_dials_the_configured_code(app, runner, world):
    app.config["USSD_CODE"] = "*123*45#"
    result = runner.invoke(args=["dial", world.member.phone, "--inputs", "00"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("> *123*45#\n")
    result = runner.invoke(args=["dial", world.member.phone, "--code", "*1#", "--inputs", "00"])
    assert result.output.startswith("> *1#\n")


def test_dial_interactive_until_the_session_ends(runner, world):
    result = runner.invoke(args=["dial", world.buyer.phone], input="8\n0000\n0000\n0000\n")
    assert result.exit_code == 0, result.output
    w = Words(world.buyer.language)
    assert w.n("Wrong PIN. {n} try left.", "Wrong PIN. {n} tries left.", 2) in result.output
    locked = w.head("PIN locked until {when}. Ask your officer to unlock it.")
    assert f"END {locked}" in result.output  # the session ended: no more prompts


def test_dial_an_unknown_number(runner, world):
    result = runner.invoke(args=["dial", "+243819999999", "--inputs", "7"])
    assert result.exit_code == 0
    w = Words(DEFAULT_LANGUAGE)
    assert f"CON {w('Invalid choice.')}\n{w(conversation.NOT_REGISTERED)}" in result.output


def test_dial_passes_the_callback_token(app, runner, world):
    app.config["CALLBACK_TOKEN"] = "s3cret"
    result = runner.invoke(args=["dial", world.member.phone, "--inputs", "3"])
    assert "CON " + Words(world.member.language)("No gold price posted yet.") in result.output
    result = runner.invoke(args=["dial", world.member.phone, "--token", "wrong", "--inputs", "3"])
    assert result.exit_code != 0 and "HTTP 403" in str(result.exception)


@pytest.fixture
def server(app):
    """The app served over HTTP by a real server thread."""
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}/ussd"
    httpd.shutdown()
    thread.join(timeout=10)
    db.session.remove()


def test_dial_a_running_server(runner, world, server):
    result = runner.invoke(args=["dial", world.member.phone, "--url", server, "--inputs", "5*00"])
    assert result.exit_code == 0, result.output
    w = Words(world.member.language)
    meeting = "Next meeting of {group}:\n{day} at {time}"
    assert f"> 5\nCON {w.head(meeting)}Groupe VSLA1" in result.output
    assert result.output.count("CON " + w("Sanduku: {name}", name="Amani")) == 2
