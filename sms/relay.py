"""The relay: the database is the source of truth, RQ only carries ids.

Every few seconds (and whenever a commit kicks it) the relay:
0. writes out the broadcasts recorded since (``sms.broadcasts``), handing each batch over;
1. fails rows past their ``expires_at`` (a reminder after its meeting);
2. marks ``sending`` rows whose claim ran out ``unknown`` (their worker died mid-call);
3. puts ``unknown`` rows whose grace period ran out back to ``pending`` (resent, see
   ``sms.defaults.SMS_UNKNOWN_GRACE``), unless a delivery report settled them meanwhile;
   a row already resent once is failed instead ("no delivery report after a resend");
4. enqueues ``pending`` rows that are due, and ``queued`` rows whose job was lost
   (lease run out), then marks them ``queued``;
5. enqueues inbound SMS not processed yet;
6. tries the unmatched delivery reports that are due again (``sms.reports``).
Rows sharing a text (a broadcast in one language) go into jobs of one batch each; personal
rows go many to a job. Enqueueing twice is harmless: sending starts with an atomic claim.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from ledger.models import InboundMessage, Message, MessageStatus, utcnow
from sms import broadcasts, reports
from sms.sender import id_in
from sms.settings import Settings

log = logging.getLogger(__name__)

S = MessageStatus

#: ``enqueue(kind, ids)``: kind is "send" or "inbound".
Enqueue = Callable[[str, Sequence[int]], None]


def _update(session: Session, *where, **values) -> int:
    result = session.execute(
        update(Message)
        .where(*where)
        .values(updated_at=utcnow(), **values)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


def _failed(session: Session, *where, reason: str) -> int:
    """Fail the rows ``where`` (forgetting the code of an enrolment SMS among them)."""
    ids = session.scalars(
        update(Message)
        .where(*where)
        .values(status=S.FAILED, failure_reason=reason, lease_until=None, updated_at=utcnow())
        .returning(Message.id)
        .execution_options(synchronize_session=False)
    ).all()
    if ids:
        reports.forget_codes(session, id_in(session, ids))
    return len(ids)


def settle_leases(session: Session, settings: Settings) -> dict:
    """Steps 1-3. Commits."""
    now = utcnow()
    expired = _failed(
        session,
        Message.status.in_([S.PENDING, S.QUEUED, S.UNKNOWN]),
        Message.expires_at <= now,
        reason="expired",
    )
    dead = _update(
        session,
        Message.status == S.SENDING,
        Message.lease_until <= now,
        status=S.UNKNOWN,
        failure_reason="no answer (worker stopped)",
        lease_until=now + dt.timedelta(seconds=settings.unknown_grace),
    )
    gave_up = _failed(
        session,
        Message.status == S.UNKNOWN,
        Message.lease_until <= now,
        Message.resent.is_(True),
        reason="no delivery report after a resend",
    )
    resend = _update(
        session,
        Message.status == S.UNKNOWN,
        Message.lease_until <= now,
        Message.resent.is_(False),
        status=S.PENDING,
        failure_reason="resent: no delivery report",
        lease_until=None,
        next_attempt_at=None,
        resent=True,
    )
    session.commit()
    if expired or dead or resend or gave_up:
        log.info(
            "relay: %d expired, %d unknown (dead claims), %d resent, %d failed after a resend",
            expired,
            dead,
            resend,
            gave_up,
        )
    return {"expired": expired, "unknown": dead, "resent": resend, "gave_up": gave_up}


def _jobs(rows: Sequence, settings: Settings) -> list[list[int]]:
    """Ids grouped so rows sharing a text travel together: a few requests of a broadcast
    per job, many personal messages per job."""
    groups: dict[tuple, list[int]] = {}
    for message_id, kind, cause, language in rows:
        key = (kind, cause, language) if str(kind) == "price" else ("personal",)
        groups.setdefault(key, []).append(message_id)
    jobs = []
    for key, ids in groups.items():
        size = settings.personal_per_job if key == ("personal",) else settings.broadcast_per_job
        jobs += [ids[i : i + size] for i in range(0, len(ids), size)]
    return jobs


def enqueue_due(session: Session, settings: Settings, enqueue: Enqueue) -> int:
    """Step 4, chunk by chunk until nothing is due. Commits."""
    total = 0
    after = 0
    while True:
        now = utcnow()
        due = or_(
            and_(
                Message.status == S.PENDING,
                or_(Message.next_attempt_at.is_(None), Message.next_attempt_at <= now),
            ),
            and_(Message.status == S.QUEUED, Message.lease_until <= now),
        )
        rows = session.execute(
            select(Message.id, Message.kind, Message.cause, Message.language)
            .where(due, Message.id > after)
            .order_by(Message.id)
            .limit(settings.relay_chunk)
        ).all()
        session.commit()
        if not rows:
            return total
        for ids in _jobs(rows, settings):
            enqueue("send", ids)  # raises when Redis is down: the rows stay as they were
            lease = utcnow() + dt.timedelta(seconds=settings.queued_lease)
            _update(session, id_in(session, ids), due, status=S.QUEUED, lease_until=lease)
            session.commit()
        total += len(rows)
        after = rows[-1][0]


def enqueue_inbound(session: Session, enqueue: Enqueue) -> int:
    """Step 5: inbound SMS not processed yet (Redis was down, or the job was lost)."""
    ids = list(
        session.scalars(
            select(InboundMessage.id)
            .where(InboundMessage.processed_at.is_(None))
            .order_by(InboundMessage.id)
            .limit(1000)
        )
    )
    session.commit()
    if ids:
        enqueue("inbound", ids)
    return len(ids)


def scan(session: Session, settings: Settings, enqueue: Enqueue) -> dict:
    summary = settle_leases(session, settings)
    summary["enqueued"] = 0

    def hand_over() -> None:
        summary["enqueued"] += enqueue_due(session, settings, enqueue)

    # Broadcasts recorded and not yet written out: each batch is handed to RQ as soon as it
    # is written, so another worker starts sending while the rest is written.
    summary["written"] = broadcasts.expand(session, settings, lambda ids: enqueue("send", ids))
    hand_over()
    summary["inbound"] = enqueue_inbound(session, enqueue)
    summary["reports"] = reports.retry_unmatched(session, settings)
    return summary
