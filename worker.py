"""``python worker.py``: an RQ worker for the SMS queue, with RQ's scheduler and the periodic
outbox relay and reminder scan. Run as many as you like, on as many machines, against one
Redis and one database. SIGTERM (or Ctrl+C) finishes the current job, then exits.

A ``SimpleWorker`` runs jobs in this process (no fork per job): the modules, the database
pool and the gateway's HTTP session are loaded once, and a job sends many messages.
"""

from __future__ import annotations

import logging

import redis
from rq import SimpleWorker

log = logging.getLogger("sanduku.worker")


def main() -> None:
    from sms import periodic, queue, settings
    from wsgi import create_app

    app = create_app()
    current = settings.current()
    # No socket timeout: the worker blocks on Redis waiting for jobs.
    connection = redis.Redis.from_url(app.config["REDIS_URL"], health_check_interval=30)
    worker = SimpleWorker([queue.queue(connection)], connection=connection)
    background = periodic.Periodic(queue.connection())
    background.start()
    log.info(
        "worker on queue %r, gateway %s, relay every %.1f s",
        current.queue,
        current.backend,
        current.relay_interval,
    )
    try:
        worker.work(with_scheduler=True, logging_level="INFO")
    finally:
        background.stop()
        background.join(timeout=30)


if __name__ == "__main__":
    main()
