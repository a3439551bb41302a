from __future__ import annotations

import pytest
from hypothesis import settings

from ledger import db
from tests import services

#: No time limit per example: a property test checks answers, not speed (timings belong in
#: bench/); a CI machine busy with other processes once took 617 ms for a 0.02 ms example.
settings.register_profile("sanduku", deadline=None)
settings.load_profile("sanduku")

BACKENDS = ["sqlite", *(["postgresql"] if services.postgres_available() else [])]


def pytest_report_header(config) -> list[str]:
    redis_kind = "server 127.0.0.1:6379" if services.redis_server_available() else "embedded"
    return [f"sanduku databases: {', '.join(BACKENDS)}; redis: {redis_kind}"]


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    if services.redis_server_available():
        yield services.REDIS_SERVER
        return
    embedded = services.EmbeddedRedis(tmp_path_factory.mktemp("redis"))
    yield embedded.url
    embedded.shutdown()


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request, tmp_path_factory):
    if request.param == "postgresql":
        url = services.create_postgres_database()
        services.migrate(url)
        yield url
        db.configure("sqlite://")  # let go of the pool before dropping
        services.drop_postgres_database(url)
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
        services.migrate(url)
        yield url


@pytest.fixture
def app(database_url, redis_url, tmp_path):
    yield from services.running_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "SMS_BACKEND": "console",
            "CALLBACK_TOKEN": None,
            "SECRET_KEY": services.SECRET_KEY,
        }
    )


@pytest.fixture
def session(app):
    return db.session()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()
