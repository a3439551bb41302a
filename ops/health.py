"""The worker's heartbeat: each periodic task that finishes writes when, in Redis, so the web
process can tell operators whether a worker is alive (``GET /healthz/worker``)."""

from __future__ import annotations

import time

import redis

#: ``/healthz/worker`` answers 200 only when a worker's relay ran within this many seconds...
RELAY_MAX_AGE = 60
#: ...and the oldest message still waiting for the gateway is younger than this.
OLDEST_WAITING_MAX_AGE = 5 * 60
#: Kept a while longer than the limit, so the answer can say how long ago it was.
KEEP_SECONDS = 24 * 3600


def key(task: str) -> str:
    return f"sanduku:periodic:{task}:finished"


def mark_finished(connection: redis.Redis, task: str, at: float | None = None) -> None:
    """A periodic task finished (``worker.Periodic``); ``at`` is a Unix time, now if unset."""
    connection.set(key(task), repr(time.time() if at is None else at), ex=KEEP_SECONDS)


def last_finished(connection: redis.Redis, task: str) -> float | None:
    """When ``task`` last finished in any worker (a Unix time), or ``None``."""
    value = connection.get(key(task))
    return float(value) if value is not None else None
