"""RQ jobs: module-level functions taking ids (or a report's fields); each reloads from the
database, acts, commits, and returns a small summary. They run in ``python worker.py``, which
builds the app once, so ``ledger.db`` and the settings are configured; so is the periodic
work of the worker's schedule (``scan_outbox``, ``write_reminders``).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Sequence

from ledger import db
from sms import (
    alerts,
    balance,
    inbound,
    premium_report,
    queue,
    relay,
    reminders,
    reports,
    retention,
    sender,
    settings,
)
from sms.gateways import Gateway, make_gateway

log = logging.getLogger(__name__)


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
    try:
        return sender.send(db.session(), ids, gateway(), settings.current())
    finally:
        db.session.remove()


def relay_outbox() -> dict:
    """The kick: relay the outbox now rather than at the next periodic scan."""
    queue.clear_kick()
    try:
        return relay.scan(db.session(), settings.current(), enqueue_ids)
    finally:
        db.session.remove()


def scan_outbox() -> dict:
    """The periodic relay (the kick's guarantee). The worker removes the session after."""
    return relay.scan(db.session(), settings.current(), enqueue_ids)


def write_reminders() -> int:
    """The periodic reminder scan. The worker removes the session after."""
    return reminders.write_due(db.session(), settings.current())


def write_site_alerts() -> int:
    """The periodic site scan: coordinators told of red sites and near deadlines."""
    return alerts.write_site_alerts(db.session(), settings.current())


def write_flag_digest() -> int:
    """The hourly digest of new flags to each cooperative's coordinators."""
    return alerts.write_flag_digest(db.session(), settings.current())


def write_premium_reports() -> int:
    """The hourly scan for the coordinators' daily SMS of premiums not fully paid."""
    return premium_report.write_due(db.session(), settings.current())


def purge_old() -> dict:
    """The periodic retention purge. The worker removes the session after."""
    return retention.purge(db.session(), settings.current())


def check_balance() -> dict:
    """The periodic read of the SMS account's balance. The worker removes the session after."""
    return balance.check(db.session(), gateway(), queue.connection(), settings.current())


def apply_delivery_report(fields: dict) -> str:
    """Reports queued by an earlier version (the webhook now applies them itself): applied,
    or kept in ``unmatched_reports``; never raised into RQ's failed registry."""
    report = gateway().parse_status(fields)
    if report is None:
        log.warning("unreadable delivery report (fields: %s)", ",".join(sorted(fields))[:200])
        return "unreadable"
    try:
        return reports.receive(db.session(), report, settings.current())
    finally:
        db.session.remove()


def process_inbound(ids: list[int]) -> dict:
    done: dict[str, int] = {}
    try:
        for inbound_id in ids:
            action = inbound.process(db.session(), inbound_id, settings.current())
            done[action or "already done"] = done.get(action or "already done", 0) + 1
    finally:
        db.session.remove()
    return done
