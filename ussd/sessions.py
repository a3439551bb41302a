"""Conversation state in Redis: one JSON document per gateway session, with a lock so a
gateway retry never runs alongside the request it repeats."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator

import redis

from ussd.defaults import LOCK_TIMEOUT_SECONDS, LOCK_WAIT_SECONDS, SESSION_TTL_SECONDS

PREFIX = "ussd:session:"


class Busy(Exception):
    """Another request of the same session held the lock for too long."""


def key(session_id: str) -> str:
    return PREFIX + session_id


def load(client: redis.Redis, session_id: str) -> dict | None:
    raw = client.get(key(session_id))
    return json.loads(raw) if raw else None


def save(client: redis.Redis, session_id: str, state: dict) -> None:
    client.set(key(session_id), json.dumps(state, separators=(",", ":")), ex=SESSION_TTL_SECONDS)


@contextlib.contextmanager
def locked(client: redis.Redis, session_id: str) -> Iterator[None]:
    lock = client.lock(
        key(session_id) + ":lock",
        timeout=LOCK_TIMEOUT_SECONDS,
        blocking_timeout=LOCK_WAIT_SECONDS,
        sleep=0.01,
    )
    if not lock.acquire():
        raise Busy(session_id)
    try:
        yield
    finally:
        with contextlib.suppress(redis.exceptions.LockError):
            lock.release()
