import socket
import threading

import pytest
from sqlalchemy.exc import OperationalError

from ledger.db import make_engine
from wsgi import create_app


def test_config_follows_the_contract(monkeypatch, database_url, redis_url):
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("AT_API_KEY", "k")
    monkeypatch.setenv("AT_USERNAME", "sandbox")
    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.setenv("CALLBACK_TOKEN", "s3cret")
    monkeypatch.setenv("SANDUKU_TZ", "Africa/Kinshasa")
    monkeypatch.delenv("USSD_CODE", raising=False)
    monkeypatch.setenv("SECRET_KEY", "a-secret-key-of-enough-length")
    monkeypatch.setenv("CALLBACK_ALLOW", "10.0.0.0/8,192.0.2.0/24")
    monkeypatch.setenv("PROXY_COUNT", "1")
    monkeypatch.setenv("LOG_LEVEL", "warning")
    app = create_app()
    assert app.config["SMS_BACKEND"] == "africastalking"
    assert app.config["AT_API_URL"] == "https://api.sandbox.africastalking.com/version1"
    assert app.config["CALLBACK_TOKEN"] == "s3cret"
    assert app.config["SANDUKU_TZ"] == "Africa/Kinshasa"
    assert app.config["USSD_CODE"] == "*384*1#"  # optional: the default of `sanduku dial`
    monkeypatch.setenv("USSD_CODE", " *123*45# ")
    assert create_app().config["USSD_CODE"] == "*123*45#"
    assert app.config["SECRET_KEY"] == "a-secret-key-of-enough-length"
    assert app.config["CALLBACK_ALLOW"] == "10.0.0.0/8,192.0.2.0/24"
    assert app.config["PROXY_COUNT"] == "1" and app.config["LOG_LEVEL"] == "WARNING"
    monkeypatch.delenv("AT_API_KEY")
    assert create_app().config["SMS_BACKEND"] == "console"


@pytest.mark.parametrize(
    "code", ["384", "*384*1", "#384#", "*384*1#; rm", "*38\u00a04#", "*" * 30 + "#"]
)
def test_a_malformed_ussd_code_stops_the_start(monkeypatch, database_url, redis_url, code):
    """The code is written into SMS members read: a typo must not reach them."""
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.setenv("USSD_CODE", code)
    with pytest.raises(ValueError, match="USSD_CODE"):
        create_app()


def test_a_silent_database_is_given_up_instead_of_waited_for():
    """A server that accepts the connection and never speaks must not hold a request forever."""
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)  # the kernel completes handshakes; nobody ever answers
    engine = make_engine(f"postgresql://127.0.0.1:{silent.getsockname()[1]}/none")
    outcome: list[BaseException] = []

    def connect():
        try:
            engine.connect()
        except BaseException as exc:
            outcome.append(exc)

    thread = threading.Thread(target=connect, daemon=True)
    thread.start()
    thread.join(timeout=60)  # a hang, not a speed check: connect_timeout is 5 s
    silent.close()
    assert not thread.is_alive(), "connecting to a silent database never gave up"
    with pytest.raises(OperationalError):
        raise outcome[0]
