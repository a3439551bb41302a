"""The retention purge: what holds phone numbers, texts or stored answers is not kept for
ever. Run by a worker's periodic task every ``SMS_PURGE_INTERVAL``; each limit is a setting
(``sms.defaults``, one line each on why).

- idempotency answers (``idempotent_requests``) after ``SMS_KEEP_IDEMPOTENCY_DAYS``;
- settled SMS (sent, delivered, failed, rejected) after ``SMS_KEEP_MESSAGES_DAYS``; a
  receipt keeps its row and status (the receipt indicators count them) without the phone
  number and the text;
- inbound SMS after ``SMS_KEEP_INBOUND_DAYS``;
- unmatched delivery reports after ``SMS_KEEP_UNMATCHED_DAYS``, and beyond the newest
  ``SMS_UNMATCHED_MAX``.

Deletes go in chunks, so no purge holds a table for long.
"""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from ledger.models import (
    IdempotentRequest,
    InboundMessage,
    Message,
    MessageKind,
    MessageStatus,
    UnmatchedReport,
    utcnow,
)
from sms.settings import Settings

log = logging.getLogger(__name__)

S = MessageStatus
SETTLED = (S.SENT, S.DELIVERED, S.FAILED, S.REJECTED)
#: Rows deleted per statement.
CHUNK = 5_000


def _delete_chunks(session: Session, model, *where) -> int:
    total = 0
    while True:
        ids = session.scalars(select(model.id).where(*where).order_by(model.id).limit(CHUNK)).all()
        if not ids:
            return total
        if model is Message:  # inbound rows point at their reply
            session.execute(
                update(InboundMessage)
                .where(InboundMessage.reply_id.in_(ids))
                .values(reply_id=None)
                .execution_options(synchronize_session=False)
            )
        session.execute(
            delete(model).where(model.id.in_(ids)).execution_options(synchronize_session=False)
        )
        session.commit()
        total += len(ids)


def purge(session: Session, settings: Settings, now: dt.datetime | None = None) -> dict:
    """Delete (or strip) what is past its retention. Commits. Returns counts."""
    now = now or utcnow()

    def before(days: int) -> dt.datetime:
        return now - dt.timedelta(days=days)

    done = {
        "idempotency": _delete_chunks(
            session,
            IdempotentRequest,
            IdempotentRequest.created_at < before(settings.keep_idempotency_days),
        )
    }
    old_message = (
        Message.status.in_(SETTLED),
        Message.created_at < before(settings.keep_messages_days),
    )
    done["receipts_stripped"] = session.execute(
        update(Message)
        .where(*old_message, Message.kind == MessageKind.RECEIPT, Message.phone != "")
        .values(phone="", body="")
        .execution_options(synchronize_session=False)
    ).rowcount
    session.commit()
    done["messages"] = _delete_chunks(
        session, Message, *old_message, Message.kind != MessageKind.RECEIPT
    )
    done["inbound"] = _delete_chunks(
        session, InboundMessage, InboundMessage.received_at < before(settings.keep_inbound_days)
    )
    done["unmatched"] = _delete_chunks(
        session, UnmatchedReport, UnmatchedReport.received_at < before(settings.keep_unmatched_days)
    )
    newest = session.scalar(select(func.max(UnmatchedReport.id)))
    if newest is not None:
        done["unmatched"] += _delete_chunks(
            session, UnmatchedReport, UnmatchedReport.id <= newest - settings.unmatched_max
        )
    session.commit()
    if any(done.values()):
        log.info("retention purge: %s", ", ".join(f"{k} {v}" for k, v in done.items()))
    return done
