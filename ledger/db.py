"""Engine and session: configured once per process (``configure``, which ``create_app``
calls), never at import time."""

from __future__ import annotations

import select

import psycopg
from sqlalchemy import BigInteger, Integer, MetaData, create_engine, event, exc
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, scoped_session, sessionmaker

#: Big integer ids that are still SQLite's auto-incrementing rowid.
BigId = BigInteger().with_variant(Integer, "sqlite")

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


session: scoped_session[Session] = scoped_session(sessionmaker(expire_on_commit=False))
_engine: Engine | None = None
_url: str | None = None


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # Let SQLAlchemy, not pysqlite, open transactions, so SAVEPOINTs work (SQLAlchemy's
    # documented recipe for pysqlite).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")  # within the gateway's 15 s
    cursor.close()


def normalize_url(url: str) -> str:
    """``postgresql://`` URLs use psycopg 3, the driver we install."""
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite gets foreign keys, WAL and a busy timeout so the web
    process and workers can share one file. Parameters are hidden from error messages."""
    # Statement parameters (phones, names, PIN hashes) never appear in errors or logs.
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 10}, hide_parameters=True)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN IMMEDIATE"))
        return engine
    # A database that stops answering must not hold a phone past the gateway's 15 s: give up
    # connecting after 5 s (the USSD screen then says to try again).
    engine = create_engine(
        normalize_url(url),
        hide_parameters=True,
        pool_size=5,
        max_overflow=10,
        connect_args={"connect_timeout": 5},
    )
    event.listen(engine, "checkout", _closed_by_server)
    return engine


def _closed_by_server(dbapi_connection, _record, _proxy) -> None:
    """Refuse a pooled connection the server has closed (a restart, a dropped link): the
    pool then opens a new one. An idle connection has nothing to read, so a socket that is
    readable has met its end; asking costs a system call, where a ``SELECT 1`` before every
    request (``pool_pre_ping``) costs a round trip."""
    try:
        poller = select.poll()
        poller.register(dbapi_connection.fileno(), select.POLLIN)
        readable = bool(poller.poll(0))
    except (OSError, ValueError, psycopg.Error):
        readable = True
    if readable:
        raise exc.DisconnectionError("the server closed this connection")


def configure(url: str) -> Engine:
    """Bind the process-wide session to ``url`` (idempotent for the same URL)."""
    global _engine, _url
    if _engine is not None and _url == normalize_url(url):
        return _engine
    if _engine is not None:
        session.remove()
        _engine.dispose()
    _engine, _url = make_engine(url), normalize_url(url)
    session.configure(bind=_engine)
    return _engine


def engine() -> Engine:
    if _engine is None:
        raise RuntimeError("the database is not configured: call ledger.db.configure(url)")
    return _engine
