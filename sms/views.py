"""The gateway's callbacks: thin, guarded by CALLBACK_TOKEN, answering 200 at once and
leaving the work to a worker."""

from __future__ import annotations

import hmac
import logging

import redis
from flask import Blueprint, abort, current_app, request

from ledger import db
from sms import inbound, jobs, queue, reports

log = logging.getLogger(__name__)

bp = Blueprint("sms", __name__, url_prefix="/sms")


@bp.before_request
def check_token() -> None:
    expected = current_app.config.get("CALLBACK_TOKEN")
    if expected and not hmac.compare_digest(request.args.get("token", ""), expected):
        abort(403)


@bp.post("/delivery")
def delivery():
    fields = request.form.to_dict()
    report = jobs.gateway().parse_status(fields)
    if report is None:
        log.warning("unreadable delivery report: %r", fields)
        # A status word we do not know is still a report: 200, or the gateway repeats it.
        return ("OK", 200) if fields.get("id") else ("unreadable report", 400)
    try:
        queue.enqueue(jobs.apply_delivery_report, fields, retry=jobs.REPORT_RETRY)
    except redis.RedisError:
        # No queue: apply it here rather than lose it (one indexed UPDATE).
        reports.apply(db.session(), report)
    return "OK", 200


@bp.post("/inbound")
def incoming():
    fields = request.form.to_dict()
    sms = jobs.gateway().parse_inbound(fields)
    if sms is None:
        log.warning("unreadable inbound SMS: %r", fields)
        return "unreadable SMS", 400
    new_id = inbound.record(db.session(), sms)
    if new_id is None:
        log.info("inbound %s again: already recorded", sms.gateway_id)
        return "OK", 200
    try:
        queue.enqueue(jobs.process_inbound, [new_id])
    except redis.RedisError as exc:
        log.warning("inbound %s waits for the relay (Redis unavailable: %s)", new_id, exc)
    return "OK", 200
