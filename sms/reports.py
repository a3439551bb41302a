"""Delivery reports: look the row up by the gateway's id and move it forward, never back.

Reports can arrive out of order (``Success`` before ``Sent``), so a status only replaces
one of lower rank: waiting (pending, queued, sending, unknown) < sent < failed, rejected <
delivered. A ``Success`` after a failure wins (the handset has it); a ``Sent`` after a final
status is ignored. A report for an id we do not know may be the answer we never got (the
call timed out): it settles the oldest ``unknown`` row to that phone that has no id yet.
"""

from __future__ import annotations

import logging

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ledger.models import Message, MessageStatus, utcnow
from sms.gateways import StatusReport

log = logging.getLogger(__name__)

S = MessageStatus
RANK = {
    S.PENDING: 0,
    S.QUEUED: 0,
    S.SENDING: 0,
    S.UNKNOWN: 0,
    S.SENT: 1,
    S.FAILED: 2,
    S.REJECTED: 2,
    S.DELIVERED: 3,
}


def _find(session: Session, report: StatusReport) -> int | None:
    message_id = session.scalar(select(Message.id).where(Message.gateway_id == report.gateway_id))
    if message_id is not None or not report.phone:
        return message_id
    orphan = session.scalar(
        select(Message.id)
        .where(
            Message.phone == report.phone,
            Message.status == S.UNKNOWN,
            Message.gateway_id.is_(None),
        )
        .order_by(Message.id)
        .limit(1)
    )
    if orphan is None:
        return None
    adopted = session.execute(
        update(Message)
        .where(Message.id == orphan, Message.gateway_id.is_(None))
        .values(gateway_id=report.gateway_id)
        .execution_options(synchronize_session=False)
    ).rowcount
    if adopted:
        log.info("delivery report %s settles unknown message %s", report.gateway_id, orphan)
        return orphan
    return None


def apply(session: Session, report: StatusReport) -> str:
    """Apply one report. Returns "applied", "stale" (an earlier status) or "unknown". Commits."""
    message_id = _find(session, report)
    if message_id is None:
        session.rollback()
        log.warning("delivery report for unknown message %s (%s)", report.gateway_id, report.status)
        return "unknown"
    now = utcnow()
    lower = [status for status, rank in RANK.items() if rank < RANK[report.status]]
    values: dict = {"status": report.status, "updated_at": now, "lease_until": None}
    if report.status == S.DELIVERED:
        values |= {"delivered_at": now, "failure_reason": None}
    elif report.status in (S.FAILED, S.REJECTED):
        values["failure_reason"] = report.reason or str(report.status)
    changed = session.execute(
        update(Message)
        .where(Message.id == message_id, Message.status.in_(lower))
        .values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed:
        # A row settled from ``unknown`` did go out.
        session.execute(
            update(Message)
            .where(Message.id == message_id, Message.sent_at.is_(None))
            .values(sent_at=now)
            .execution_options(synchronize_session=False)
        )
    session.commit()
    return "applied" if changed else "stale"
