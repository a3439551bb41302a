"""``python worker.py``: an RQ worker for the SMS queue, with RQ's scheduler, and the periodic
work of every domain (``SCHEDULE``). Run as many as you like, on as many machines, against
one Redis and one database. SIGTERM (or Ctrl+C) finishes the current job, then exits.

A ``SimpleWorker`` runs jobs in this process (no fork per job): the app is built once
(``create_app``: the same configuration as the web process), the modules, the database pool
and the gateway's HTTP session are loaded once, and a job sends many messages. When Redis
goes away RQ's loop gives up; this one waits for Redis and starts it again, while the relay
keeps the outbox in the database.

Each periodic task runs in a thread of the worker, at most once per interval across all
workers (a Redis lock whose expiry is the interval); when Redis is away the task runs anyway
(everything it does is safe to overlap), so database housekeeping never stops. The thread
holds ``FORK_LOCK`` while it works so RQ's scheduler process is never forked in the middle of
a database call.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import redis
from rq import SimpleWorker

from ledger import db
from ledger.evidence import jobs as evidence_jobs
from ledger.evidence.defaults import DIGEST_INTERVAL_SECONDS, SCAN_INTERVAL_SECONDS
from ledger.premiums.defaults import REPORT_SCAN_SECONDS
from ops import health
from payouts import jobs as payout_jobs
from sms import jobs as sms_jobs

log = logging.getLogger("sanduku.worker")

#: Waits between attempts to get back to Redis after it went away (then the last, repeated).
RECONNECT_WAITS = (1.0, 2.0, 5.0)


@dataclass(frozen=True)
class Task:
    """A periodic job: its name (its lock in Redis), how often it runs (seconds, or the config
    key that says), and the plain function that does it."""

    name: str
    every: float | str
    run: Callable[[], object]

    def interval(self, config: Mapping) -> float:
        return float(config[self.every] if isinstance(self.every, str) else self.every)


#: The periodic work of every domain.
SCHEDULE = (
    # The outbox relay: what the commit's kick missed (Redis was down, a job was lost).
    Task("relay", "SMS_RELAY_INTERVAL", sms_jobs.scan_outbox),
    # Meeting reminders due now, written from the database.
    Task("reminders", "SMS_REMINDER_INTERVAL", sms_jobs.write_reminders),
    # Flags are computed on each purchase; the hourly rescan of the last month catches what
    # one purchase cannot see alone (a site's month, a miner's other sites) and repairs misses.
    Task("flags", SCAN_INTERVAL_SECONDS, evidence_jobs.scan_flags),
    # Mine sites: coordinators told when one turns red (rated so, or a yellow deadline passed)
    # or a yellow deadline is 14 days away; expiry is by date, so a scan finds it.
    Task("site_alerts", SCAN_INTERVAL_SECONDS, sms_jobs.write_site_alerts),
    # New flags told to each cooperative's coordinators: one SMS digest, at most hourly.
    Task("flag_digest", DIGEST_INTERVAL_SECONDS, sms_jobs.write_flag_digest),
    # Retention: old idempotency answers, settled and inbound SMS, unmatched delivery reports.
    Task("purge", "SMS_PURGE_INTERVAL", sms_jobs.purge_old),
    # Mobile-money payouts: new and retried ones sent, unknown ones asked about.
    Task("payouts", "PAYOUT_SCAN_INTERVAL", payout_jobs.scan_payouts),
    # Each cooperative's coordinators: one SMS a day (from 07:00 local) of the premiums whose
    # miners are not all paid yet; the hourly scan writes it once, the cause names the day.
    Task("premium_report", REPORT_SCAN_SECONDS, sms_jobs.write_premium_reports),
    # The SMS account's balance, for /metrics and the coordinators' low-credit SMS.
    Task("balance", "SMS_BALANCE_INTERVAL", sms_jobs.check_balance),
)

#: Held while a periodic task works; RQ's scheduler is forked only between tasks.
FORK_LOCK = threading.Lock()


class Periodic(threading.Thread):
    def __init__(
        self, connection: redis.Redis, config: Mapping, tasks: tuple[Task, ...] = SCHEDULE
    ):
        super().__init__(name="sanduku-periodic", daemon=True)
        self.connection = connection
        self.config = config
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

    def _finished(self, task: Task) -> None:
        """The heartbeat ``GET /healthz/worker`` reads (best effort: Redis may be away)."""
        with contextlib.suppress(redis.RedisError):
            health.mark_finished(self.connection, task.name)

    def run(self) -> None:
        while not self.stopping.is_set():
            for task in self.tasks:
                interval = task.interval(self.config)
                if time.monotonic() < self.next_run[task.name]:
                    continue
                self.next_run[task.name] = time.monotonic() + interval
                if not self._mine(task, interval):
                    continue
                with FORK_LOCK:
                    try:
                        task.run()
                        self._finished(task)
                    except Exception:
                        log.exception("periodic %s failed; next try in %.0f s", task.name, interval)
                    finally:
                        db.session.remove()
            wait = min(self.next_run.values()) - time.monotonic()
            self.stopping.wait(max(0.05, wait))


class Worker(SimpleWorker):
    """Remembers a shutdown request, to tell it from a lost Redis when ``work`` returns."""

    stop_requested = False

    def handle_warm_shutdown_request(self) -> None:
        self.stop_requested = True
        super().handle_warm_shutdown_request()

    def execute_job(self, job, queue):
        """The job's log lines carry the id of the request that caused it (``ops.logs``)."""
        from sms.queue import REQUEST_ID

        token = REQUEST_ID.set((job.meta or {}).get("request_id"))
        try:
            return super().execute_job(job, queue)
        finally:
            REQUEST_ID.reset(token)


def main() -> None:
    from ops.check import StartRefused
    from sms import queue, settings
    from wsgi import checked_app

    try:
        app = checked_app("worker")  # the configuration checked first, as `sanduku check` does
    except StartRefused:
        raise SystemExit(2) from None  # each problem is in the log already
    current = settings.current()
    if hasattr(os, "register_at_fork"):
        os.register_at_fork(
            before=FORK_LOCK.acquire,
            after_in_parent=FORK_LOCK.release,
            after_in_child=FORK_LOCK.release,
        )
    # No socket timeout: the worker blocks on Redis waiting for jobs.
    connection = redis.Redis.from_url(app.config["REDIS_URL"], health_check_interval=30)
    background = Periodic(queue.connection(), app.config)
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
            worker = None
            try:
                # Job arguments stay out of the log: delivery reports carry phone numbers.
                # Building the worker talks to Redis too (its name), so it may fail as well.
                worker = Worker(
                    [queue.queue(connection)], connection=connection, log_job_description=False
                )
                if worker.work(with_scheduler=True, logging_level="INFO"):
                    failures = 0
            except redis.RedisError as exc:
                log.warning("worker loop stopped: %s", exc)
            if worker is not None and worker.stop_requested:
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
