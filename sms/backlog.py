"""What the outbox holds, for operators (``/healthz/worker``, ``/metrics``): messages by state
and the oldest one still waiting to be handed to the gateway."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ledger.models import Message, MessageStatus

S = MessageStatus
#: Not handed to the gateway yet: written, on a queue, or in a call that has not answered.
WAITING = (S.PENDING, S.QUEUED, S.SENDING)


def oldest_waiting(session: Session) -> dt.datetime | None:
    """When the oldest message still waiting was written (naive UTC), or ``None``. Ids grow
    with time, so the lowest waiting id is read through the (status, id) index."""
    return session.scalar(
        select(Message.created_at).where(Message.status.in_(WAITING)).order_by(Message.id).limit(1)
    )


def by_status(session: Session) -> dict[str, int]:
    """How many messages are in each state (every state named, zero included)."""
    counts = dict.fromkeys((status.value for status in S), 0)
    rows = session.execute(select(Message.status, func.count()).group_by(Message.status))
    for status, count in rows:
        counts[str(status)] = count
    return counts
