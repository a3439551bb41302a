"""Redis and the RQ queue, connected lazily (never at import), and the relay's "kick".

A kick asks a worker to run the relay now, so a receipt leaves within a second of its
purchase instead of waiting for the next periodic scan. It is only a hint: when Redis is
down the kick is lost and the periodic relay finds the rows anyway.
"""

from __future__ import annotations

import logging
from contextvars import ContextVar

import redis
from rq import Queue

from sms import settings

log = logging.getLogger(__name__)

#: Set while a kick is on the queue, so a burst of commits enqueues one relay, not many.
KICK_KEY = "sanduku:sms:kick"
#: The kick flag expires by itself if its job is lost with Redis.
KICK_TTL_SECONDS = 10

_clients: dict[str, redis.Redis] = {}

#: The id of the request (a USSD hop, an API call) or job at work in this context: jobs
#: enqueued now carry it in their ``meta``, and the worker sets it again while they run, so
#: log lines of the jobs a request caused carry its id (``ops.logs``).
REQUEST_ID: ContextVar[str | None] = ContextVar("sanduku_request_id", default=None)


def connection() -> redis.Redis:
    """A client for enqueueing (short timeouts: a web request must not hang on Redis)."""
    url = settings.current().redis_url
    if not url:
        raise RuntimeError("REDIS_URL is not configured")
    client = _clients.get(url)
    if client is None:
        client = _clients[url] = redis.Redis.from_url(
            url, socket_timeout=5, socket_connect_timeout=2, health_check_interval=30
        )
    return client


def queue(connection_: redis.Redis | None = None) -> Queue:
    s = settings.current()
    return Queue(s.queue, connection=connection_ or connection(), default_timeout=s.job_timeout)


def enqueue(func, *args, **options):
    s = settings.current()
    options.setdefault("result_ttl", s.result_ttl)
    options.setdefault("failure_ttl", 7 * 24 * 3600)
    if (request_id := REQUEST_ID.get()) is not None:
        options.setdefault("meta", {})["request_id"] = request_id
    return queue().enqueue(func, *args, **options)


def kick() -> bool:
    """Ask a worker to relay the outbox now. Never raises: False when Redis is away."""
    try:
        if connection().set(KICK_KEY, 1, nx=True, ex=KICK_TTL_SECONDS):
            enqueue("sms.jobs.relay_outbox")
        return True
    except redis.RedisError as exc:
        log.warning("outbox kick skipped (Redis unavailable: %s); the relay will catch up", exc)
        return False


def clear_kick() -> None:
    """Called by the relay as it starts: commits after this point kick again."""
    connection().delete(KICK_KEY)
