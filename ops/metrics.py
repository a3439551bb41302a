"""``GET /metrics`` in Prometheus' text format (prometheus-client), behind ``METRICS_TOKEN``
when it is set (``Authorization: Bearer <token>``).

Two kinds of figures:
- counted by the web process as it answers: USSD hops by the screen shown and their outcome,
  with latency histograms; API requests by route and status. Under gunicorn each worker
  counts its own and ``PROMETHEUS_MULTIPROC_DIR`` (set by the systemd unit) adds them up;
- read when scraped, from the database and Redis, so any process answers the same: messages
  by state, payouts by state and method, the oldest message waiting for the gateway, when a
  worker's relay last ran, RQ's queue and failed jobs, gateway errors by kind and the SMS
  account's balance (the workers leave those two in Redis, ``sms.stats``).
No label ever holds a phone number, a name or a text: screens, routes, states and kinds only.
"""

from __future__ import annotations

import hmac
import logging
import os
import time

from flask import Blueprint, Flask, Response, abort, current_app, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from sqlalchemy import func, select
from sqlalchemy.orm import Session

import ledger.db
from ledger.models import Payout, utcnow
from ops import health
from sms import backlog, queue, stats

log = logging.getLogger("sanduku")
bp = Blueprint("metrics", __name__)

#: Seconds: a hop answers in milliseconds; Africa's Talking gives up at 15 s.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 15.0)

USSD_HOPS = Counter(
    "sanduku_ussd_hops",
    "USSD hops answered, by the screen shown and the outcome "
    "(continue, end, busy, unavailable, error, refused)",
    ["screen", "outcome"],
)
USSD_SECONDS = Histogram(
    "sanduku_ussd_hop_seconds",
    "Time to answer a USSD hop, by the screen shown",
    ["screen"],
    buckets=LATENCY_BUCKETS,
)
API_REQUESTS = Counter(
    "sanduku_api_requests",
    "Coordinator API requests, by route and status",
    ["route", "method", "status"],
)
API_SECONDS = Histogram(
    "sanduku_api_request_seconds",
    "Time to answer an API request, by route",
    ["route"],
    buckets=LATENCY_BUCKETS,
)


def _started() -> None:
    g.metrics_started = time.perf_counter()


def _elapsed() -> float | None:
    started = g.get("metrics_started")
    return None if started is None else time.perf_counter() - started


def _counted(response: Response) -> Response:
    try:
        if request.endpoint == "ussd.ussd" or request.path == "/ussd":
            _count_hop(response)
        elif request.path.startswith("/api/"):
            route = request.url_rule.rule if request.url_rule else "unmatched"
            API_REQUESTS.labels(route, request.method, str(response.status_code)).inc()
            if (elapsed := _elapsed()) is not None:
                API_SECONDS.labels(route).observe(elapsed)
    except Exception:  # a figure is never worth a failed answer
        log.exception("metrics: request not counted")
    return response


def _count_hop(response: Response) -> None:
    hop = g.get("ussd_hop") or {}
    screen = hop.get("screen") or "none"
    if response.status_code != 200:
        outcome = "refused"  # the callback guard (403) or a malformed request
    else:
        answer = response.get_data(as_text=True)
        outcome = hop.get("outcome") or ("continue" if answer.startswith("CON ") else "end")
    USSD_HOPS.labels(screen, outcome).inc()
    if (elapsed := _elapsed()) is not None:
        USSD_SECONDS.labels(screen).observe(elapsed)


class Figures:
    """What is read when scraped (a collector of prometheus-client)."""

    def __init__(self, redis_client) -> None:
        self.redis = redis_client

    def collect(self):
        errors = GaugeMetricFamily(
            "sanduku_scrape_errors", "Sources that did not answer this scrape", labels=["source"]
        )
        for source, read in (("database", self._database), ("redis", self._redis)):
            try:
                yield from read()
            except Exception as exc:
                log.warning("metrics: %s not read: %s", source, type(exc).__name__)
                errors.add_metric([source], 1)
        yield errors

    def _database(self):
        with Session(ledger.db.engine()) as session:  # its own: nothing left open after
            states = backlog.by_status(session)
            oldest = backlog.oldest_waiting(session)
            paid_out = session.execute(
                select(Payout.state, Payout.method, func.count()).group_by(
                    Payout.state, Payout.method
                )
            ).all()
        messages = GaugeMetricFamily(
            "sanduku_messages", "Outbox messages by state", labels=["state"]
        )
        for state, count in states.items():
            messages.add_metric([state], count)
        yield messages
        payouts = GaugeMetricFamily(
            "sanduku_payouts", "Payouts by state and method", labels=["state", "method"]
        )
        for state, method, count in paid_out:
            payouts.add_metric([str(state), str(method)], count)
        yield payouts
        age = max(0.0, (utcnow() - oldest).total_seconds()) if oldest else 0.0
        yield GaugeMetricFamily(
            "sanduku_oldest_queued_message_age_seconds",
            "Age of the oldest message not yet handed to the gateway (0 when none)",
            value=age,
        )

    def _redis(self):
        sms_queue = queue.queue(self.redis)
        length = GaugeMetricFamily("sanduku_rq_queue_length", "Jobs waiting", labels=["queue"])
        length.add_metric([sms_queue.name], sms_queue.count)
        yield length
        failed = GaugeMetricFamily("sanduku_rq_failed_jobs", "Jobs failed", labels=["queue"])
        failed.add_metric([sms_queue.name], sms_queue.failed_job_registry.count)
        yield failed
        finished = health.last_finished(self.redis, "relay")
        if finished is not None:
            yield GaugeMetricFamily(
                "sanduku_worker_relay_age_seconds",
                "Seconds since a worker's relay last finished",
                value=max(0.0, time.time() - finished),
            )
        errors = CounterMetricFamily(
            "sanduku_gateway_errors",
            "Recipients the SMS gateway did not take, by kind",
            labels=["kind"],
        )
        for kind, count in sorted(stats.gateway_errors(self.redis).items()):
            errors.add_metric([kind], count)
        yield errors
        yield from _balance(stats.balance(self.redis))


def _balance(balance: dict | None):
    if balance is None:
        return
    amount = GaugeMetricFamily(
        "sanduku_sms_balance", "The SMS account's balance", labels=["currency"]
    )
    amount.add_metric([balance["currency"]], float(balance["amount"]))
    yield amount
    yield GaugeMetricFamily(
        "sanduku_sms_balance_low",
        "1 when the SMS balance is under SMS_BALANCE_LOW",
        value=1.0 if balance["low"] else 0.0,
    )
    yield GaugeMetricFamily(
        "sanduku_sms_balance_checked_timestamp_seconds",
        "When the balance was last read (Unix time)",
        value=float(balance["checked_at"]),
    )


def _authorised() -> bool:
    token = current_app.config.get("METRICS_TOKEN")
    if not token:
        return True
    sent = request.headers.get("Authorization", "").encode("latin-1", "replace")
    return hmac.compare_digest(sent, f"Bearer {token}".encode("utf-8", "replace"))


def counted_here() -> bytes:
    """The web process's own figures: every gunicorn worker's, in multiprocess mode."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry)
    return generate_latest(REGISTRY)


@bp.get("/metrics")
def metrics() -> Response:
    if not _authorised():
        abort(401)
    scraped = CollectorRegistry(auto_describe=False)
    scraped.register(Figures(current_app.extensions["redis"]))
    body = counted_here() + generate_latest(scraped)
    return Response(body, headers={"Content-Type": CONTENT_TYPE_LATEST})


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.before_request(_started)
    app.after_request(_counted)
