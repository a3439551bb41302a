"""``python worker.py``: an RQ worker for the SMS queue, with RQ's scheduler and the periodic
outbox relay and reminder scan. Run as many as you like, on as many machines, against one
Redis and one database. SIGTERM (or Ctrl+C) finishes the current job, then exits.

A ``SimpleWorker`` runs jobs in this process (no fork per job): the modules, the database
pool and the gateway's HTTP session are loaded once, and a job sends many messages. When
Redis goes away RQ's loop gives up; this one waits for Redis and starts it again, while the
relay keeps the outbox in the database.
"""

from __future__ import annotations

import logging
import signal
import threading

import redis
from rq import SimpleWorker

log = logging.getLogger("sanduku.worker")

#: Waits between attempts to get back to Redis after it went away (then the last, repeated).
RECONNECT_WAITS = (1.0, 2.0, 5.0)


class Worker(SimpleWorker):
    """Remembers a shutdown request, to tell it from a lost Redis when ``work`` returns."""

    stop_requested = False

    def handle_warm_shutdown_request(self) -> None:
        self.stop_requested = True
        super().handle_warm_shutdown_request()


def main() -> None:
    from sms import periodic, queue, settings
    from wsgi import create_app

    app = create_app()
    current = settings.current()
    # No socket timeout: the worker blocks on Redis waiting for jobs.
    connection = redis.Redis.from_url(app.config["REDIS_URL"], health_check_interval=30)
    background = periodic.Periodic(queue.connection())
    background.start()
    log.info(
        "worker on queue %r, gateway %s, relay every %.1f s",
        current.queue,
        current.backend,
        current.relay_interval,
    )
    stop = threading.Event()
    failures = 0
    try:
        while not stop.is_set():
            # Job arguments stay out of the log: delivery reports carry phone numbers.
            worker = Worker(
                [queue.queue(connection)], connection=connection, log_job_description=False
            )
            try:
                if worker.work(with_scheduler=True, logging_level="INFO"):
                    failures = 0
            except redis.RedisError as exc:
                log.warning("worker loop stopped: %s", exc)
            if worker.stop_requested:
                break
            # RQ gave up on Redis: wait (a SIGTERM now just stops), then start again.
            for sig in (signal.SIGTERM, signal.SIGINT):
                signal.signal(sig, lambda *_: stop.set())
            wait = RECONNECT_WAITS[min(failures, len(RECONNECT_WAITS) - 1)]
            failures += 1
            log.warning("Redis unavailable; worker starts again in %.0f s", wait)
            stop.wait(wait)
    finally:
        background.stop()
        background.join(timeout=30)


if __name__ == "__main__":
    main()
