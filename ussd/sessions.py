"""Conversation state in Redis: one JSON document per gateway session, with a lock so a
gateway retry never runs alongside the request it repeats.

The state never holds a request's ``text`` (it carries PINs and enrolment codes): what was
read and which answers may be replayed are known by ``mark(text)``, an HMAC of the text
keyed with a key derived from ``SECRET_KEY`` (``configure``), with the text's length.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
from collections.abc import Iterator

import redis

from ussd.defaults import LOCK_TIMEOUT_SECONDS, LOCK_WAIT_SECONDS, SESSION_TTL_SECONDS

PREFIX = "ussd:session:"


_key: bytes | None = None


class Busy(Exception):
    """Another request of the same session held the lock for too long."""


def configure(key: bytes) -> None:
    """The key of ``mark`` (``ussd.init_app`` derives it from ``SECRET_KEY``)."""
    global _key
    _key = key


def mark(text: str) -> str:
    """``<length>:<HMAC>`` of a request's text: enough to recognise it, and to tell where a
    longer text carries on, without keeping it."""
    if _key is None:
        raise RuntimeError("ussd.sessions is not configured: call sessions.configure(key)")
    digest = hmac.new(_key, text.encode("utf-8", "surrogatepass"), hashlib.sha256)
    return f"{len(text)}:{digest.hexdigest()[:32]}"


def marked_length(marked: str) -> int:
    return int(marked.split(":", 1)[0])


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
