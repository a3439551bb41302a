import socket
import threading

import pytest
import redis
from sqlalchemy.exc import OperationalError

from ledger import db
from ledger.db import make_engine
from wsgi import create_app


def test_healthz_when_database_and_redis_answer(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok", "redis": "ok"}


def test_healthz_when_redis_is_down(app, client):
    app.extensions["redis"] = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json["redis"].startswith("error")
    assert response.json["database"] == "ok"


def test_healthz_when_database_is_down(database_url, redis_url, tmp_path):
    app = create_app({"DATABASE_URL": "postgresql://127.0.0.1:1/none", "REDIS_URL": redis_url})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["database"].startswith("error")
    db.configure(database_url)


def test_config_follows_the_contract(monkeypatch, database_url, redis_url):
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("AT_API_KEY", "k")
    monkeypatch.setenv("AT_USERNAME", "sandbox")
    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.setenv("CALLBACK_TOKEN", "s3cret")
    monkeypatch.setenv("SANDUKU_TZ", "Africa/Kinshasa")
    monkeypatch.setenv("SECRET_KEY", "a-secret-key-of-enough-length")
    monkeypatch.setenv("CALLBACK_ALLOW", "10.0.0.0/8,192.0.2.0/24")
    monkeypatch.setenv("PROXY_COUNT", "1")
    monkeypatch.setenv("LOG_LEVEL", "warning")
    app = create_app()
    assert app.config["SMS_BACKEND"] == "africastalking"
    assert app.config["AT_API_URL"] == "https://api.sandbox.africastalking.com/version1"
    assert app.config["CALLBACK_TOKEN"] == "s3cret"
    assert app.config["SANDUKU_TZ"] == "Africa/Kinshasa"
    assert app.config["SECRET_KEY"] == "a-secret-key-of-enough-length"
    assert app.config["CALLBACK_ALLOW"] == "10.0.0.0/8,192.0.2.0/24"
    assert app.config["PROXY_COUNT"] == "1" and app.config["LOG_LEVEL"] == "WARNING"
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
