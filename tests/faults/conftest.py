"""Fault tests: real processes (gunicorn, ``python worker.py``, a redis-server of the test's
own) broken on purpose while they work. Conditions are waited for with deadlines."""

from __future__ import annotations

import pytest

from bench.procs import Gunicorn, app_env
from tests import services
from tests.fake_gateway import FakeGateway
from tests.faults.processes import OwnRedis
from tests.sms.conftest import Workers, app_config


@pytest.fixture
def fake():
    gateway = FakeGateway().start()
    yield gateway
    gateway.stop()


@pytest.fixture
def client(app):
    client = app.test_client()
    client.environ_base["HTTP_X_CALLBACK_TOKEN"] = services.CALLBACK_TOKEN
    return client


@pytest.fixture
def app(database_url, redis_url, fake):
    """The app in this process, its SMS going to the fake gateway."""
    yield from services.running_app(app_config(database_url, redis_url, fake))


@pytest.fixture
def workers(app, database_url, redis_url, fake, tmp_path):
    group = Workers(database_url, redis_url, fake, tmp_path)
    yield group
    group.stop_all()


@pytest.fixture
def own_redis(tmp_path):
    server = OwnRedis(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def web(tmp_path):
    """``web(database_url, redis_url)`` starts gunicorn serving ``wsgi:app``, stopped after."""
    started: list[Gunicorn] = []

    def start(database_url: str, redis_url: str, workers: int = 2, **env: str) -> Gunicorn:
        env = {"SECRET_KEY": services.SECRET_KEY, **env}
        server = Gunicorn(
            "wsgi:app",
            app_env(database_url, redis_url, **env),
            tmp_path / f"gunicorn-{len(started)}.log",
            workers=workers,
        )
        started.append(server)
        return server.ready()

    yield start
    for server in started:
        server.stop()
