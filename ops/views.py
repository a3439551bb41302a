"""``GET /healthz``: 200 when the database and Redis answer, 503 (with which failed) if not."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify

import ledger.db

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
