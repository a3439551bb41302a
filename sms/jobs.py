"""RQ jobs: module-level functions taking ids (or a report's fields); each reloads from the
database, acts, commits, and returns a small summary. They run in ``python worker.py`` (or
any ``rq worker`` with this project importable: the app is created on first use).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Sequence

from ledger import db
from sms import inbound, queue, relay, reports, sender, settings
from sms.gateways import Gateway, make_gateway

log = logging.getLogger(__name__)


def _ready() -> None:
    try:
        db.engine()
    except RuntimeError:  # started by a bare ``rq worker``: load the configuration
        from wsgi import create_app

        create_app()


@functools.cache
def _gateway(current: settings.Settings) -> Gateway:
    return make_gateway(current)


def gateway() -> Gateway:
    return _gateway(settings.current())


def enqueue_ids(kind: str, ids: Sequence[int]) -> None:
    """The relay's hand-over to RQ (raises when Redis is down)."""
    func = {"send": send_messages, "inbound": process_inbound}[kind]
    queue.enqueue(func, list(ids))


def send_messages(ids: list[int]) -> dict:
    _ready()
    try:
        return sender.send(db.session(), ids, gateway(), settings.current())
    finally:
        db.session.remove()


def relay_outbox() -> dict:
    """The kick: relay the outbox now rather than at the next periodic scan."""
    _ready()
    queue.clear_kick()
    try:
        return relay.scan(db.session(), settings.current(), enqueue_ids)
    finally:
        db.session.remove()


def apply_delivery_report(fields: dict) -> str:
    """Reports queued by an earlier version (the webhook now applies them itself): applied,
    or kept in ``unmatched_reports``; never raised into RQ's failed registry."""
    _ready()
    report = gateway().parse_status(fields)
    if report is None:
        log.warning("unreadable delivery report (fields: %s)", ",".join(sorted(fields))[:200])
        return "unreadable"
    try:
        return reports.receive(db.session(), report, settings.current())
    finally:
        db.session.remove()


def process_inbound(ids: list[int]) -> dict:
    _ready()
    done: dict[str, int] = {}
    try:
        for inbound_id in ids:
            action = inbound.process(db.session(), inbound_id, settings.current())
            done[action or "already done"] = done.get(action or "already done", 0) + 1
    finally:
        db.session.remove()
    return done
