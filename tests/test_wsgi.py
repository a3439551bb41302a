import socket
import threading
from decimal import Decimal

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
    app = create_app()
    assert app.config["SMS_BACKEND"] == "africastalking"
    assert app.config["AT_API_URL"] == "https://api.sandbox.africastalking.com/version1"
    assert app.config["CALLBACK_TOKEN"] == "s3cret"
    assert app.config["SANDUKU_TZ"] == "Africa/Kinshasa"
    monkeypatch.delenv("AT_API_KEY")
    assert create_app().config["SMS_BACKEND"] == "console"


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


def test_packages_read_their_options_from_the_environment_like_the_contract(
    monkeypatch, database_url, redis_url
):
    """One loader for web and worker: ``SMS_*`` and ``EVIDENCE_*`` come from the environment
    (typed as their defaults), and the packages install what the config says."""
    import worker
    from ledger.evidence import settings as evidence_settings
    from sms import settings as sms_settings

    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.setenv("SANDUKU_TZ", "UTC")
    monkeypatch.setenv("SMS_RELAY_INTERVAL", "0.7")
    monkeypatch.setenv("SMS_RETRY_BACKOFF", "1, 2")
    monkeypatch.setenv("SMS_BATCH_SIZE", "7")
    monkeypatch.setenv("EVIDENCE_PRICE_MULTIPLE", "1.5")
    monkeypatch.setenv("EVIDENCE_OUTLIER_MIN_MINERS", "4")
    app = create_app()
    assert app.config["SMS_RELAY_INTERVAL"] == 0.7
    assert app.config["SMS_RETRY_BACKOFF"] == (1.0, 2.0)
    assert app.config["SMS_BATCH_SIZE"] == 7
    assert app.config["EVIDENCE_PRICE_MULTIPLE"] == Decimal("1.5")
    sms_now, evidence_now = sms_settings.current(), evidence_settings.current()
    assert (sms_now.relay_interval, sms_now.batch_size, sms_now.tz) == (0.7, 7, "UTC")
    assert (evidence_now.price_multiple, evidence_now.outlier_min_miners) == (Decimal("1.5"), 4)
    assert evidence_now.tz == "UTC"
    relay = next(task for task in worker.SCHEDULE if task.name == "relay")
    assert relay.interval(app.config) == 0.7  # the worker's schedule reads the same config
    # Unset, each key has its default; a test's own config still wins over both.
    monkeypatch.delenv("EVIDENCE_PRICE_MULTIPLE")
    app = create_app({"SMS_BATCH_SIZE": 3})
    assert app.config["EVIDENCE_PRICE_MULTIPLE"] == Decimal("1.2")
    assert sms_settings.current().batch_size == 3
