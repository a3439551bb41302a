"""Conversation state in Redis: one JSON document per gateway session, with a lock so a
gateway retry never runs alongside the request it repeats.

A request costs two round trips: ``held`` takes the lock and reads the state in one small
Lua script, and on the way out saves the state (when it changed) and lets go of the lock in
another. A step that writes to the books saves the state once more before it (``save``).

The state never holds a request's ``text`` (it carries PINs and enrolment codes): what was
read and which answers may be replayed are known by ``mark(text)``, an HMAC of the text
keyed with a key derived from ``SECRET_KEY`` (``configure``), with the text's length.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import time
from collections.abc import Iterator

import redis
from redis.commands.core import Script

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


#: Take the lock (KEYS[1]) with a token and read the state (KEYS[2]): {1, state} or {0}.
_OPEN = """
if redis.call('set', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return {1, redis.call('get', KEYS[2])}
end
return {0}
"""
#: Save the state (unless ARGV[2] is empty) and let go of the lock if it is still ours.
_CLOSE = """
if ARGV[2] ~= '' then redis.call('set', KEYS[2], ARGV[2], 'EX', ARGV[3]) end
if redis.call('get', KEYS[1]) == ARGV[1] then redis.call('del', KEYS[1]) end
return 1
"""
#: How long to wait between tries for a lock another request holds.
LOCK_POLL_SECONDS = 0.01


class Held:
    """The state of a locked session: ``state`` as read (None for a new session); ``keep``
    says what to save when the lock is let go."""

    def __init__(self, state: dict | None):
        self.state = state
        self._kept: dict | None = None

    def keep(self, state: dict) -> None:
        self._kept = state


#: Run with ``client=``; redis-py loads a script again when Redis has forgotten it.
_open_script = Script(None, _OPEN.encode())
_close_script = Script(None, _CLOSE.encode())


@contextlib.contextmanager
def held(client: redis.Redis, session_id: str) -> Iterator[Held]:
    """Lock the session and load its state in one round trip (waiting up to
    ``LOCK_WAIT_SECONDS`` for a request of the same session); save what was kept and let go
    in one more. Raises ``Busy`` when the wait runs out."""
    state_key = key(session_id)
    lock_key = state_key + ":lock"
    token = os.urandom(12).hex()
    deadline = time.monotonic() + LOCK_WAIT_SECONDS
    while True:
        got = _open_script(
            keys=[lock_key, state_key],
            args=[token, int(LOCK_TIMEOUT_SECONDS * 1000)],
            client=client,
        )
        if got[0]:
            break
        if time.monotonic() >= deadline:
            raise Busy(session_id)
        time.sleep(LOCK_POLL_SECONDS)
    holding = Held(json.loads(got[1]) if got[1] else None)
    done = False
    try:
        yield holding
        done = True
    finally:
        kept = holding._kept if done else None
        body = json.dumps(kept, separators=(",", ":")) if kept is not None else ""
        try:
            _close_script(
                keys=[lock_key, state_key], args=[token, body, SESSION_TTL_SECONDS], client=client
            )
        except redis.RedisError:
            if done:
                raise  # the state was not saved: the request must not answer as if it was
