"""Pooled PostgreSQL connections closed by the server (a restart, a dropped link) are
replaced at checkout, by asking the socket rather than sending ``SELECT 1`` first."""

from __future__ import annotations

import socket
import time

import pytest
from sqlalchemy import exc, text

from ledger import db
from tests.conftest import BACKENDS


class _Connection:
    """The one thing the check asks of a DBAPI connection: its socket."""

    def __init__(self, sock: socket.socket):
        self.sock = sock

    def fileno(self) -> int:
        return self.sock.fileno()


def test_an_idle_connection_passes_and_a_closed_one_is_refused():
    ours, servers = socket.socketpair()
    try:
        db._closed_by_server(_Connection(ours), None, None)  # nothing to read: kept
        servers.close()  # the server goes away
        with pytest.raises(exc.DisconnectionError):
            db._closed_by_server(_Connection(ours), None, None)
    finally:
        ours.close()


def test_a_socket_that_cannot_be_asked_is_refused():
    gone = socket.socket()
    gone.close()  # fileno() is -1
    with pytest.raises(exc.DisconnectionError):
        db._closed_by_server(_Connection(gone), None, None)


@pytest.mark.parametrize("database_url", [b for b in BACKENDS if b == "postgresql"], indirect=True)
def test_a_connection_the_server_ended_is_replaced_without_an_error(app, database_url):
    engine = db.engine()
    pooled, other = engine.connect(), engine.connect()
    first = pooled.execute(text("SELECT pg_backend_pid()")).scalar_one()
    pooled.close()  # back in the pool, idle; the server then ends it
    other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first})
    gone = text("SELECT count(*) = 0 FROM pg_stat_activity WHERE pid = :pid")
    deadline = time.monotonic() + 10  # the signal is sent; the backend ends soon after
    while not other.execute(gone, {"pid": first}).scalar_one():
        other.commit()  # a transaction sees one snapshot of pg_stat_activity
        assert time.monotonic() < deadline, "the backend did not end"
        time.sleep(0.01)
    other.close()
    session = db.session()
    assert session.execute(text("SELECT 1")).scalar_one() == 1
    second = session.execute(text("SELECT pg_backend_pid()")).scalar_one()
    session.commit()
    assert second != first
