"""SMS tests: the fake gateway, an app pointed at it, and real worker processes."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger import db
from ledger.models import Message
from tests import services
from tests.fake_gateway import FakeGateway
from tests.waiting import wait_until  # noqa: F401  (used by the SMS and fault tests)

ROOT = Path(__file__).resolve().parents[2]

#: Worker tuning for tests: everything that waits in production waits a moment here.
FAST = {
    "SMS_RELAY_INTERVAL": "0.3",
    "SMS_REMINDER_INTERVAL": "0.5",
    "SMS_RETRY_BACKOFF": "0.3,0.3,0.3",
    "SMS_CONNECT_TIMEOUT": "1",
    "SMS_READ_TIMEOUT": "1",
    "SMS_QUEUED_LEASE": "3",
    "SMS_CLAIM_TIMEOUT": "3",
    "SMS_UNKNOWN_GRACE": "600",
    "SMS_REPORT_RETRY": "0.3,1",
}


def messages(**where) -> list[Message]:
    """Fresh rows (a new session each time: the workers write them)."""
    with Session(db.engine()) as s:
        query = select(Message).order_by(Message.id)
        for key, value in where.items():
            query = query.where(getattr(Message, key) == value)
        return list(s.scalars(query))


@pytest.fixture
def fake():
    gateway = FakeGateway().start()
    yield gateway
    gateway.stop()


def app_config(database_url: str, redis_url: str, fake: FakeGateway, **extra) -> dict:
    return {
        "TESTING": True,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "SMS_BACKEND": "africastalking",
        "AT_USERNAME": "sanduku",
        "AT_API_KEY": "test-key",
        "AT_SENDER_ID": None,
        "AT_API_URL": fake.url,
        "CALLBACK_TOKEN": services.CALLBACK_TOKEN,
        "SECRET_KEY": services.SECRET_KEY,
        # A report that overtakes its send is tried again at once, as FAST does for workers.
        "SMS_REPORT_RETRY": (0.3, 1.0),
        **extra,
    }


@pytest.fixture
def app(database_url, redis_url, fake):
    yield from services.running_app(app_config(database_url, redis_url, fake))


@pytest.fixture
def client(app):
    """The gateway's client: every request carries the callback token, as configured."""
    client = app.test_client()
    client.environ_base["HTTP_X_CALLBACK_TOKEN"] = services.CALLBACK_TOKEN
    return client


class Workers:
    """``python worker.py`` processes, each in its own process group (RQ's scheduler is a
    child of the worker: a SIGKILL of the group takes both)."""

    def __init__(self, database_url: str, redis_url: str, fake: FakeGateway, logs: Path):
        self.env = {
            **os.environ,
            **FAST,
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "SMS_BACKEND": "africastalking",
            "AT_USERNAME": "sanduku",
            "AT_API_KEY": "test-key",
            "AT_API_URL": fake.url,
            "SECRET_KEY": services.SECRET_KEY,
            "CALLBACK_TOKEN": services.CALLBACK_TOKEN,
            "PYTHONUNBUFFERED": "1",
        }
        self.logs = logs
        self.procs: list[subprocess.Popen] = []

    def start(self, **env) -> subprocess.Popen:
        log = (self.logs / f"worker-{len(self.procs)}.log").open("w")
        proc = subprocess.Popen(
            [sys.executable, "worker.py"],
            cwd=ROOT,
            env={**self.env, **env},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.procs.append(proc)
        return proc

    def kill(self, proc: subprocess.Popen) -> None:
        """SIGKILL, as a crash would."""
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)

    def terminate(self, proc: subprocess.Popen, timeout: float = 15) -> int:
        """SIGTERM, as a deployment would; returns the exit code."""
        proc.send_signal(signal.SIGTERM)
        return self._wait(proc, timeout)

    def _wait(self, proc: subprocess.Popen, timeout: float = 15) -> int:
        try:
            return proc.wait(timeout)
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(10)
            self._reap_group(proc)

    def _reap_group(self, proc: subprocess.Popen) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)  # leftovers of the group (the scheduler)

    def stop_all(self) -> None:
        running = [p for p in self.procs if p.poll() is None]
        for proc in running:
            proc.send_signal(signal.SIGTERM)
        for proc in self.procs:
            if proc in running:
                # Cleanup, not a check (test_sigterm_* checks the graceful exit): a worker
                # still reconnecting after a test's outage is killed at the deadline.
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self._wait(proc)
            else:
                self._reap_group(proc)

    def log_text(self) -> str:
        return "\n".join(p.read_text() for p in sorted(self.logs.glob("worker-*.log")))


@pytest.fixture
def workers(app, database_url, redis_url, fake, tmp_path):
    group = Workers(database_url, redis_url, fake, tmp_path)
    yield group
    group.stop_all()
