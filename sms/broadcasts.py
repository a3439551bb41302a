"""Broadcasts: an SMS to every member of a cooperative, off the request path.

The price post records one ``Broadcast`` row in its own transaction (``record``: a single
insert, whatever the cooperative's size) and kicks the relay. A worker's relay then writes
the outbox rows (``expand``) with set-based SQL: per batch of members (by id) one
``INSERT ... SELECT`` per language, and the batch's end stored on the broadcast in the same
transaction. The broadcast row is locked while a batch is written (``FOR UPDATE``; SQLite's
writers are serialised), so two workers never write the same batch, and a worker killed
mid-batch leaves nothing of it: the next relay writes it again. Exactly once per member.

Who gets it (as before): active, opted-in members of the cooperative who have not left, in
their language (an unknown one reads the default); one SMS per phone and language, to the
member with the lowest id (a household phone shared by two gets it once).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence

from sqlalchemy import and_, case, exists, func, insert, literal, select, update
from sqlalchemy.orm import Session, aliased

from ledger import events
from ledger.defaults import LANGUAGES
from ledger.models import (
    Broadcast,
    Cooperative,
    Member,
    MemberStatus,
    Message,
    MessageKind,
    MessageStatus,
    PricePost,
    utcnow,
)
from locales import DEFAULT_LANGUAGE, translator
from sms import outbox, templates
from sms.settings import Settings, current

log = logging.getLogger(__name__)

#: Hands the ids of one job's rows to RQ (``sms.jobs.enqueue_ids("send", ...)``).
Send = Callable[[Sequence[int]], None]


def record(session: Session, post: PricePost, settings: Settings) -> Broadcast:
    """The price post's broadcast, to be written out by a worker once this commits."""
    broadcast = Broadcast(
        kind=MessageKind.PRICE,
        cause=f"price:{post.id}",
        cooperative_id=post.cooperative_id,
        price_post_id=post.id,
        after_member_id=0,
        expires_at=post.posted_at + dt.timedelta(seconds=settings.price_ttl),
        created_at=utcnow(),
    )
    session.add(broadcast)
    session.flush()
    outbox.mark_dirty(session)  # the commit kicks the relay, which expands it
    return broadcast


def on_price(session: Session, post: PricePost) -> None:
    """The price to every active, opted-in member of the cooperative, in their language."""
    record(session, post, current())


def subscribe() -> None:
    """Idempotent: a price post records its broadcast."""
    outbox.subscribe()
    events.subscribe(events.PRICE_POSTED, on_price)


def _language(member):
    """The language a member reads, in SQL: theirs when we have its words, else the default."""
    return case((member.language.in_(LANGUAGES), member.language), else_=DEFAULT_LANGUAGE)


def _receives(member):
    """Active, opted in, not left: a member a broadcast of their cooperative goes to."""
    return and_(
        member.status == MemberStatus.ACTIVE,
        member.opted_out.is_(False),
        member.left_on.is_(None),
    )


def _eligible(member, cooperative_id: int):
    return and_(member.cooperative_id == cooperative_id, _receives(member))


def _bodies(session: Session, broadcast: Broadcast, settings: Settings) -> dict[str, dict]:
    """Each language's row (everything but phone and member), rendered once."""
    post = session.get(PricePost, broadcast.price_post_id)
    coop = session.get(Cooperative, broadcast.cooperative_id)
    rows = {}
    for language in LANGUAGES:
        t = translator(language, settings.tz)
        body = templates.price(
            t,
            posted_at=post.posted_at,
            usd=post.usd_per_gram,
            cdf=post.cdf_per_gram,
            coop=coop.name,
        )
        rows[language] = outbox.row(
            phone="",
            member_id=None,
            kind=broadcast.kind,
            language=language,
            body=body,
            cause=broadcast.cause,
            expires_at=broadcast.expires_at,
        )
    return rows


def _write_batch(
    session: Session, broadcast: Broadcast, bodies: dict[str, dict], after: int, upto: int
) -> list[list[int]]:
    """The outbox rows of members ``after < id <= upto``: one INSERT ... SELECT a language.
    Returns the new rows' ids, a list per language."""
    m, earlier = Member, aliased(Member)
    columns = [c for c in bodies[LANGUAGES[0]] if c not in ("phone", "member_id")]
    table = Message.__table__
    written = []
    for language, row in bodies.items():
        shared_with_earlier = exists().where(
            earlier.phone == m.phone,
            # Found by its phone's index alone: "+ 0" keeps PostgreSQL from also reading
            # the cooperative's index for each member, as it chose on a cooperative just
            # imported, before its statistics (50x slower: 22 s a batch, not 0.4 s).
            earlier.cooperative_id + 0 == broadcast.cooperative_id,
            _receives(earlier),
            _language(earlier) == language,
            earlier.id < m.id,
        )
        chosen = select(
            *(literal(row[c], type_=table.c[c].type).label(c) for c in columns),
            m.phone,
            m.id,
        ).where(
            _eligible(m, broadcast.cooperative_id),
            m.id > after,
            m.id <= upto,
            _language(m) == language,
            ~shared_with_earlier,
        )
        ids = session.scalars(
            insert(Message)
            .from_select([*columns, "phone", "member_id"], chosen)
            .returning(Message.id)
        ).all()
        if ids:
            written.append(sorted(ids))
    return written


def expand_one(
    session: Session, broadcast_id: int, settings: Settings, send: Send | None = None
) -> int | None:
    """Write the next batch of one broadcast and commit. Returns the rows written, or None
    when the broadcast is done (or another worker finished it).

    With ``send``, the rows are written ``queued`` and handed to it after the commit, in
    jobs of ``broadcast_per_job``: one write per row fewer than the relay's pending -> queued,
    on the path of every recipient. A worker killed between the commit and the hand-over
    leaves them queued: the relay enqueues them again when their lease runs out."""
    broadcast = session.scalars(
        select(Broadcast)
        .where(Broadcast.id == broadcast_id, Broadcast.done_at.is_(None))
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one_or_none()
    if broadcast is None:
        session.commit()
        return None
    now = utcnow()
    after = broadcast.after_member_id
    upto = session.scalar(
        select(func.max(Member.id)).where(
            Member.id.in_(
                select(Member.id)
                .where(Member.cooperative_id == broadcast.cooperative_id, Member.id > after)
                .order_by(Member.id)
                .limit(settings.broadcast_batch)
            )
        )
    )
    expired = broadcast.expires_at is not None and broadcast.expires_at <= now
    if upto is None or expired:
        broadcast.done_at = now
        session.commit()
        if expired:
            log.warning("broadcast %s expired before it was written out", broadcast.cause)
        return None
    bodies = _bodies(session, broadcast, settings)
    if send is not None:
        lease = now + dt.timedelta(seconds=settings.queued_lease)
        for row in bodies.values():
            row.update(status=MessageStatus.QUEUED, lease_until=lease)
    written = _write_batch(session, broadcast, bodies, after, upto)
    session.execute(
        update(Broadcast)
        .where(Broadcast.id == broadcast.id)
        .values(after_member_id=upto)
        .execution_options(synchronize_session=False)
    )
    session.commit()  # no kick: handed over below, or by the relay that called this
    if send is not None:
        size = settings.broadcast_per_job
        for ids in written:
            for start in range(0, len(ids), size):
                send(ids[start : start + size])
    return sum(len(ids) for ids in written)


def pending(session: Session) -> list[int]:
    ids = list(
        session.scalars(
            select(Broadcast.id).where(Broadcast.done_at.is_(None)).order_by(Broadcast.id)
        )
    )
    session.commit()
    return ids


def expand(session: Session, settings: Settings, send: Send | None = None) -> int:
    """Write out every broadcast not done yet, batch by batch; with ``send``, each batch's
    rows are handed to it as soon as they are written (see ``expand_one``), else they wait
    ``pending`` for the relay. Returns the rows written."""
    total = 0
    for broadcast_id in pending(session):
        while (written := expand_one(session, broadcast_id, settings, send)) is not None:
            total += written
    if total:
        log.info("broadcasts: %d outbox rows written", total)
    return total
