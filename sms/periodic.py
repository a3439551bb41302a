"""Periodic work of a worker, declared as data: the outbox relay, the reminder scan, the
evidence flag scan and the retention purge.

Each task runs in a thread of the worker process, at most once per interval across all
workers (a Redis lock whose expiry is the interval); when Redis is away the task runs
anyway (everything it does is safe to overlap), so database housekeeping never stops.
The thread holds ``FORK_LOCK`` while it works so RQ's scheduler process is never forked
in the middle of a database call.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import redis

from ledger import db
from ledger.evidence import jobs as evidence_jobs
from ledger.evidence.defaults import SCAN_INTERVAL_SECONDS
from sms import jobs, relay, reminders, retention, settings

log = logging.getLogger(__name__)

FORK_LOCK = threading.Lock()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(
        before=FORK_LOCK.acquire,
        after_in_parent=FORK_LOCK.release,
        after_in_child=FORK_LOCK.release,
    )


def run_relay() -> dict:
    return relay.scan(db.session(), settings.current(), jobs.enqueue_ids)


def run_reminders() -> int:
    return reminders.write_due(db.session(), settings.current())


def run_purge() -> dict:
    return retention.purge(db.session(), settings.current())


@dataclass(frozen=True)
class Task:
    name: str
    interval: Callable[[settings.Settings], float]
    run: Callable[[], object]


TASKS = (
    Task("relay", lambda s: s.relay_interval, run_relay),
    Task("reminders", lambda s: s.reminder_interval, run_reminders),
    # Flags are computed on each purchase; the hourly rescan of the last month catches what
    # one purchase cannot see alone (a site's month, a miner's other sites) and repairs misses.
    Task("flags", lambda s: SCAN_INTERVAL_SECONDS, evidence_jobs.scan_flags),
    Task("purge", lambda s: s.purge_interval, run_purge),
)


class Periodic(threading.Thread):
    def __init__(self, connection: redis.Redis, tasks: tuple[Task, ...] = TASKS):
        super().__init__(name="sanduku-periodic", daemon=True)
        self.connection = connection
        self.tasks = tasks
        self.stopping = threading.Event()
        self.next_run = dict.fromkeys((t.name for t in tasks), 0.0)

    def stop(self) -> None:
        self.stopping.set()

    def _mine(self, task: Task, interval: float) -> bool:
        try:
            key = f"sanduku:periodic:{task.name}"
            # Expires a little before this worker's next turn, so it keeps its rhythm while
            # other workers find the task taken.
            ttl = max(1, int(interval * 900))
            return bool(self.connection.set(key, os.getpid(), nx=True, px=ttl))
        except redis.RedisError:
            return True

    def run(self) -> None:
        while not self.stopping.is_set():
            current = settings.current()
            for task in self.tasks:
                interval = task.interval(current)
                if time.monotonic() < self.next_run[task.name]:
                    continue
                self.next_run[task.name] = time.monotonic() + interval
                if not self._mine(task, interval):
                    continue
                with FORK_LOCK:
                    try:
                        task.run()
                    except Exception:
                        log.exception("periodic %s failed; next try in %.0f s", task.name, interval)
                    finally:
                        db.session.remove()
            wait = min(self.next_run.values()) - time.monotonic()
            self.stopping.wait(max(0.05, wait))
