"""``sanduku dial``: the terminal phone, in-process and against a running server."""

import threading

import pytest
from werkzeug.serving import make_server

from ledger import db
from tests.ussd.conftest import PIN


def test_dial_prints_every_screen_of_a_script(runner, world):
    result = runner.invoke(args=["dial", world.member.phone, "--inputs", f"1*{PIN}*00*5*0"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.startswith("> *384*1#\nCON Sanduku: Amani\n1 My savings")
    assert "> 1\nCON Enter your PIN:" in out and f"> {PIN}\nCON Groupe VSLA1\n" in out
    assert "> 5\nCON Next meeting of Groupe VSLA1:" in out
    assert out.count("CON Sanduku: Amani") == 3


def test_dial_interactive_until_the_session_ends(runner, world):
    result = runner.invoke(args=["dial", world.buyer.phone], input="8\n0000\n0000\n0000\n")
    assert result.exit_code == 0, result.output
    assert "Wrong PIN. 2 tries left." in result.output
    assert "END PIN locked until" in result.output  # the session ended: no more prompts


def test_dial_an_unknown_number(runner, world):
    result = runner.invoke(args=["dial", "+243819999999", "--inputs", "1*2"])
    assert result.exit_code == 0
    assert "END Sanduku: this number is not registered." in result.output
    assert "> 1" not in result.output


def test_dial_passes_the_callback_token(app, runner, world):
    app.config["CALLBACK_TOKEN"] = "s3cret"
    result = runner.invoke(args=["dial", world.member.phone, "--inputs", "3"])
    assert "CON No gold price posted yet." in result.output
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
    assert "> 5\nCON Next meeting of Groupe VSLA1:" in result.output
    assert result.output.count("CON Sanduku: Amani") == 2
