"""``GET /healthz``: 200 when the database and Redis answer, 503 (with which failed) if not.
``GET /healthz/worker``: 200 when a worker's relay ran lately and the outbox is moving."""

from __future__ import annotations

import time

from flask import Blueprint, current_app, jsonify
from sqlalchemy.orm import Session

import ledger.db
from ledger.models import utcnow
from ops import health
from sms import backlog

bp = Blueprint("ops", __name__)


@bp.get("/healthz")
def healthz():
    checks = {}
    try:
        with ledger.db.engine().connect() as connection:
            connection.exec_driver_sql("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:
        checks["database"] = f"error: {type(exc).__name__}"
    try:
        current_app.extensions["redis"].ping()
        checks["redis"] = "ok"
    except Exception as exc:
        checks["redis"] = f"error: {type(exc).__name__}"
    healthy = all(v == "ok" for v in checks.values())
    return jsonify(status="ok" if healthy else "unavailable", **checks), 200 if healthy else 503


@bp.get("/healthz/worker")
def healthz_worker():
    """200 only when a worker's relay finished within ``RELAY_MAX_AGE`` seconds and the oldest
    message waiting for the gateway is younger than ``OLDEST_WAITING_MAX_AGE``; the figures
    (seconds, ``null`` when there is none) and what is wrong in the body either way."""
    body: dict = {
        "relay_max_age_seconds": health.RELAY_MAX_AGE,
        "oldest_queued_max_age_seconds": health.OLDEST_WAITING_MAX_AGE,
        "relay_seconds_ago": None,
        "oldest_queued_seconds": None,
    }
    problems = []
    try:
        finished = health.last_finished(current_app.extensions["redis"], "relay")
        if finished is None:
            problems.append("no worker's relay has run")
        else:
            body["relay_seconds_ago"] = round(max(0.0, time.time() - finished), 1)
            if body["relay_seconds_ago"] > health.RELAY_MAX_AGE:
                problems.append("the relay has not run lately")
    except Exception as exc:
        problems.append(f"redis: error: {type(exc).__name__}")
    try:
        with Session(ledger.db.engine()) as session:  # its own: nothing left open after
            oldest = backlog.oldest_waiting(session)
        if oldest is not None:
            age = max(0.0, (utcnow() - oldest).total_seconds())
            body["oldest_queued_seconds"] = round(age, 1)
            if age >= health.OLDEST_WAITING_MAX_AGE:
                problems.append("messages wait too long for the gateway")
    except Exception as exc:
        problems.append(f"database: error: {type(exc).__name__}")
    healthy = not problems
    body.update(status="ok" if healthy else "unavailable", problems=problems)
    return jsonify(body), 200 if healthy else 503
