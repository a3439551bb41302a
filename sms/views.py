"""The gateway's callbacks: thin, answering 200 at once. The token and the caller's address
are checked before them, by the guard ``create_app`` installs for every view marked
``gateway_callback``."""

from __future__ import annotations

import logging

import redis
from flask import Blueprint, request

from ledger import db
from sms import inbound, jobs, queue, reports, settings

log = logging.getLogger(__name__)

bp = Blueprint("sms", __name__, url_prefix="/sms")


@bp.post("/delivery")
def delivery():
    fields = request.form.to_dict()
    report = jobs.gateway().parse_status(fields)
    if report is None:
        log.warning("unreadable delivery report (fields: %s)", ",".join(sorted(fields))[:200])
        # A status word we do not know is still a report: 200, or the gateway repeats it.
        return ("OK", 200) if fields.get("id") else ("unreadable report", 400)
    # Applied here (one indexed UPDATE), not through RQ: a job's arguments would keep the
    # phone number in Redis; an unmatched report waits in the database instead.
    reports.receive(db.session(), report, settings.current())
    return "OK", 200


@bp.post("/inbound")
def incoming():
    fields = request.form.to_dict()
    sms = jobs.gateway().parse_inbound(fields)
    if sms is None:
        log.warning("unreadable inbound SMS (fields: %s)", ",".join(sorted(fields))[:200])
        return "unreadable SMS", 400
    new_id = inbound.record(db.session(), sms)
    if new_id is None:
        log.info("inbound %r again: already recorded", sms.gateway_id)
        return "OK", 200
    try:
        queue.enqueue(jobs.process_inbound, [new_id])
    except redis.RedisError as exc:
        log.warning("inbound %s waits for the relay (Redis unavailable: %s)", new_id, exc)
    return "OK", 200


delivery.gateway_callback = True
incoming.gateway_callback = True
