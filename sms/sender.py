"""Sending claimed rows through the gateway and recording what it said.

A row is claimed with one conditional UPDATE (``pending``/``queued`` -> ``sending``) and
committed before the gateway is called, so two workers never send it twice, and a job run
again after a crash finds it claimed (or sent) and leaves it alone. Rows sharing a text go
in one request (up to the batch size); a personal text is one request.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from collections import Counter
from collections.abc import Iterable, Sequence

from sqlalchemy import BigInteger, any_, bindparam, or_, select, text, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from ledger.models import Message, MessageStatus, utcnow
from sms import queue, reports, stats
from sms.gateways import Gateway, Outcome, SendResult
from sms.settings import Settings

log = logging.getLogger(__name__)

S = MessageStatus
CLAIMABLE = (S.PENDING, S.QUEUED)


def _chunks(items: list[tuple[int, str]], size: int) -> Iterable[list[tuple[int, str]]]:
    """Runs of at most ``size`` rows with distinct phones (a phone twice in one request
    would make the answer ambiguous)."""
    chunk: list[tuple[int, str]] = []
    phones: set[str] = set()
    rest: list[tuple[int, str]] = []
    for item in items:
        if item[1] in phones:
            rest.append(item)
            continue
        chunk.append(item)
        phones.add(item[1])
        if len(chunk) == size:
            yield chunk
            chunk, phones = [], set()
    if chunk:
        yield chunk
    if rest:
        yield from _chunks(rest, size)


def id_in(session: Session, ids: Sequence[int]):
    """``messages.id IN ids``; on PostgreSQL as ``= ANY(array)``, one parameter however many
    ids (a 500-placeholder query costs more to prepare than to run)."""
    if session.get_bind().dialect.name == "postgresql":
        return Message.id == any_(bindparam("ids", list(ids), type_=ARRAY(BigInteger)))
    return Message.id.in_(ids)


def claim(session: Session, ids: Sequence[int], settings: Settings) -> list[tuple[int, str, int]]:
    """Take the rows still waiting to be sent: (id, phone, attempts). Commits."""
    now = utcnow()
    claimed = session.execute(
        update(Message)
        .where(
            id_in(session, ids),
            Message.status.in_(CLAIMABLE),
            or_(Message.next_attempt_at.is_(None), Message.next_attempt_at <= now),
            or_(Message.expires_at.is_(None), Message.expires_at > now),
        )
        .values(
            status=S.SENDING,
            attempts=Message.attempts + 1,
            lease_until=now + dt.timedelta(seconds=settings.claim_timeout),
            updated_at=now,
        )
        .returning(Message.id, Message.phone, Message.attempts)
        .execution_options(synchronize_session=False)
    ).all()
    session.commit()
    return [tuple(r) for r in claimed]


def record(
    session: Session,
    claimed: list[tuple[int, str, int]],
    results: list[SendResult],
    settings: Settings,
    coded: bool = True,
) -> Counter:
    """Apply the gateway's answer to the claimed rows. Commits. ``coded``: the rows may be
    of a kind whose body holds a code to forget (False for a price broadcast's)."""
    now = utcnow()
    by_phone = {r.phone: r for r in results}
    accepted: dict[int, SendResult] = {}
    changes = []
    tally: Counter = Counter()
    for message_id, phone, attempts in claimed:
        result = by_phone.get(phone) or SendResult(phone, Outcome.UNKNOWN, reason="no result")
        change = {"id": message_id, "updated_at": now, "lease_until": None}
        if result.outcome == Outcome.ACCEPTED:
            accepted[message_id] = result
            tally[str(S.SENT)] += 1
            continue
        if result.outcome == Outcome.REJECTED:
            change |= {"status": S.REJECTED, "failure_reason": result.reason}
        elif result.outcome == Outcome.RETRY and attempts <= len(settings.retry_backoff):
            wait = settings.retry_backoff[attempts - 1]
            change |= {
                "status": S.PENDING,
                "next_attempt_at": now + dt.timedelta(seconds=wait),
                "failure_reason": result.reason,
            }
        elif result.outcome == Outcome.RETRY:
            change |= {"status": S.FAILED, "failure_reason": result.reason}
        else:  # UNKNOWN: wait for a delivery report, or the grace period
            change |= {
                "status": S.UNKNOWN,
                "lease_until": now + dt.timedelta(seconds=settings.unknown_grace),
                "failure_reason": result.reason,
            }
        tally[str(change["status"])] += 1
        changes.append(change)
    if accepted:
        _mark_sent(session, accepted, now)
    if changes:
        session.execute(update(Message), changes)
    # An enrolment SMS that has left (or failed for good) keeps no code in its body.
    if coded:
        ids = [message_id for message_id, _, _ in claimed]
        reports.forget_codes(session, id_in(session, ids))
    session.commit()
    return tally


#: PostgreSQL: a whole batch marked sent in one statement (ids and answers as arrays).
_SENT_PG = text(
    "UPDATE messages SET status = 'sent', gateway_id = v.gateway_id, cost = v.cost,"
    " sent_at = :now, failure_reason = NULL, lease_until = NULL, updated_at = :now"
    " FROM unnest(CAST(:ids AS bigint[]), CAST(:gateway_ids AS text[]),"
    " CAST(:costs AS text[])) AS v(id, gateway_id, cost)"
    " WHERE messages.id = v.id"
)


def _mark_sent(session: Session, accepted: dict[int, SendResult], now: dt.datetime) -> None:
    """The gateway took these: record its ids, in one round trip (the hot path of a
    broadcast)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            _SENT_PG,
            {
                "now": now,
                "ids": list(accepted),
                "gateway_ids": [r.gateway_id for r in accepted.values()],
                "costs": [r.cost for r in accepted.values()],
            },
        )
        return
    table = Message.__table__
    session.execute(
        update(table)
        .where(table.c.id == bindparam("_id"))
        .values(
            status=S.SENT,
            gateway_id=bindparam("_gateway_id"),
            cost=bindparam("_cost"),
            sent_at=now,
            failure_reason=None,
            lease_until=None,
            updated_at=now,
        ),
        [{"_id": i, "_gateway_id": r.gateway_id, "_cost": r.cost} for i, r in accepted.items()],
    )


def postpone(session: Session, ids: Sequence[int], settings: Settings, reason: str) -> int:
    """Put rows not yet tried back to wait while the gateway is in trouble. Commits."""
    if not ids:
        return 0
    now = utcnow()
    wait = settings.retry_backoff[0] if settings.retry_backoff else 0
    result = session.execute(
        update(Message)
        .where(id_in(session, ids), Message.status.in_(CLAIMABLE))
        .values(
            status=S.PENDING,
            next_attempt_at=now + dt.timedelta(seconds=wait),
            lease_until=None,
            failure_reason=reason[:80],
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return result.rowcount


def _count_errors(results: list[SendResult]) -> None:
    """For operators (``/metrics``); never in the way of a send."""
    with contextlib.suppress(RuntimeError):  # no Redis configured (the sender tested alone)
        stats.count_gateway_errors(queue.connection(), results)


def send(session: Session, ids: Sequence[int], gateway: Gateway, settings: Settings) -> dict:
    """Send the rows ``ids`` that still need it. Returns a tally of new statuses."""
    waiting = session.execute(
        select(Message.id, Message.phone, Message.body, Message.kind)
        .where(id_in(session, ids), Message.status.in_(CLAIMABLE))
        .order_by(Message.id)
    ).all()
    session.commit()
    by_body: dict[tuple[str, bool], list[tuple[int, str]]] = {}
    for message_id, phone, body, kind in waiting:
        by_body.setdefault((body, kind in reports.FORGOTTEN), []).append((message_id, phone))
    batches = [
        (body, coded, chunk)
        for (body, coded), items in by_body.items()
        for chunk in _chunks(items, settings.batch_size)
    ]
    tally: Counter = Counter()
    for n, (body, coded, chunk) in enumerate(batches):
        claimed = claim(session, [message_id for message_id, _ in chunk], settings)
        if not claimed:
            tally["skipped"] += len(chunk)
            continue
        results = gateway.send(body, [phone for _, phone, _ in claimed])
        tally.update(record(session, claimed, results, settings, coded))
        _count_errors(results)
        if results and not any(r.outcome in (Outcome.ACCEPTED, Outcome.REJECTED) for r in results):
            # The gateway is failing as a whole: do not hammer it with the rest of the job.
            rest = [message_id for _, _, later in batches[n + 1 :] for message_id, _ in later]
            tally["postponed"] += postpone(session, rest, settings, results[0].reason or "")
            break
    return dict(tally)
