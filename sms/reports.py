"""Delivery reports: look the row up by the gateway's id and move it forward, never back.

Reports can arrive out of order (``Success`` before ``Sent``), so a status only replaces
one of lower rank: waiting (pending, queued, sending, unknown) < sent < failed, rejected <
delivered. A ``Success`` after a failure wins (the handset has it); a ``Sent`` after a final
status is ignored. A report for an id we do not know may be the answer we never got (the
call timed out): it settles the oldest ``unknown`` row to that phone that has no id yet.

Reports are applied by the webhook itself (one indexed UPDATE). One that matches nothing
(it may have overtaken the commit of its send) is kept in ``unmatched_reports`` and tried
again by the relay after ``SMS_REPORT_RETRY``, then kept only until the retention purge:
never in an RQ queue or failed registry, where its phone number would linger.
"""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from ledger.models import Message, MessageKind, MessageStatus, UnmatchedReport, utcnow
from sms import templates
from sms.gateways import StatusReport
from sms.settings import Settings

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
        log.info("delivery report %r settles unknown message %s", report.gateway_id, orphan)
        return orphan
    return None


FINAL = (S.SENT, S.DELIVERED, S.FAILED, S.REJECTED)


#: SMS whose body holds a one-time code, and what the body becomes once it has left.
FORGOTTEN = {
    MessageKind.ENROLMENT: templates.ENROLMENT_SENT,
    MessageKind.PREMIUM: templates.PREMIUM_SENT,
}


def forget_codes(session: Session, where) -> int:
    """Enrolment and premium SMS that have left, or never will: the code in the body (an
    enrolment code, a cash payout code) is not kept."""
    return sum(
        session.execute(
            update(Message)
            .where(where, Message.kind == kind, Message.status.in_(FINAL))
            .values(body=body)
            .execution_options(synchronize_session=False)
        ).rowcount
        for kind, body in FORGOTTEN.items()
    )


def apply(session: Session, report: StatusReport) -> str:
    """Apply one report. Returns "applied", "stale" (an earlier status) or "unknown". Commits."""
    message_id = _find(session, report)
    if message_id is None:
        session.commit()  # nothing was written; a commit keeps the caller's objects loaded
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
        forget_codes(session, Message.id == message_id)
    session.commit()
    return "applied" if changed else "stale"


def receive(session: Session, report: StatusReport, settings: Settings) -> str:
    """The webhook's part: apply the report, or keep it to try again. Commits."""
    outcome = apply(session, report)
    if outcome != "unknown":
        return outcome
    delays = settings.report_retry
    now = utcnow()
    session.add(
        UnmatchedReport(
            gateway_id=report.gateway_id,
            status=report.status,
            phone=report.phone,
            reason=report.reason,
            received_at=now,
            tries=0,
            next_try_at=now + dt.timedelta(seconds=delays[0]) if delays else None,
        )
    )
    session.commit()
    log.warning(
        "delivery report for unknown message %r (%s): kept", report.gateway_id, report.status
    )
    return "unknown"


def retry_unmatched(session: Session, settings: Settings, limit: int = 1000) -> dict:
    """The relay's part: try the unmatched reports that are due again. Commits."""
    now = utcnow()
    due = list(
        session.scalars(
            select(UnmatchedReport)
            .where(UnmatchedReport.next_try_at <= now)
            .order_by(UnmatchedReport.id)
            .limit(limit)
        )
    )
    session.commit()
    done = {"matched": 0, "kept": 0}
    for row in due:
        report = StatusReport(row.gateway_id, row.status, row.phone, row.reason)
        row_id, tries = row.id, row.tries + 1
        if apply(session, report) != "unknown":
            session.execute(delete(UnmatchedReport).where(UnmatchedReport.id == row_id))
            done["matched"] += 1
        else:
            delays = settings.report_retry
            later = now + dt.timedelta(seconds=delays[tries]) if tries < len(delays) else None
            session.execute(
                update(UnmatchedReport)
                .where(UnmatchedReport.id == row_id)
                .values(tries=tries, next_try_at=later)
            )
            done["kept"] += 1
        session.commit()
    return done
