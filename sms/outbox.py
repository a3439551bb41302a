"""Writing the outbox: a message row is added in the same transaction as its cause.

``subscribe()`` (called by ``sms.init_app``) hooks it to the books' events, so a purchase or a
price post can never be committed without its SMS rows, nor the rows without it. After such a
commit the relay is kicked (best effort); the periodic relay is the guarantee.
"""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import event, insert, select
from sqlalchemy.orm import Session

from ledger import events
from ledger.enrolment import Issued
from ledger.models import (
    Member,
    MemberStatus,
    Message,
    MessageKind,
    MessageStatus,
    PricePost,
    Purchase,
    utcnow,
)
from locales import translator
from sms import queue, settings, templates

log = logging.getLogger(__name__)

#: ``session.info`` flag: this transaction wrote outbox rows.
_DIRTY = "sms_outbox_dirty"


def row(
    *,
    phone: str,
    member_id: int | None,
    kind: MessageKind,
    language: str,
    body: str,
    cause: str | None,
    expires_at: dt.datetime | None = None,
) -> dict:
    encoding, segments = templates.measure(body)
    now = utcnow()
    return {
        "phone": phone,
        "member_id": member_id,
        "kind": kind,
        "language": language,
        "body": body,
        "encoding": encoding,
        "segments": segments,
        "status": MessageStatus.PENDING,
        "attempts": 0,
        "cause": cause,
        "expires_at": expires_at,
        "created_at": now,
        "updated_at": now,
    }


def add(session: Session, **fields) -> Message:
    """One message row (flushed), to be sent once the transaction commits."""
    message = Message(**row(**fields))
    session.add(message)
    session.flush()
    mark_dirty(session)
    return message


def add_many(session: Session, rows: list[dict]) -> int:
    """Many rows in one statement (a broadcast to a whole cooperative)."""
    if rows:
        session.execute(insert(Message), rows)
        mark_dirty(session)
    return len(rows)


def mark_dirty(session: Session) -> None:
    session.info[_DIRTY] = True


def on_purchase(session: Session, purchase: Purchase) -> None:
    """The miner's receipt, in their language; sent even when they opted out of prices."""
    miner = purchase.miner
    t = translator(miner.language, settings.current().tz)
    body = templates.receipt(
        t,
        receipt_number=purchase.receipt_number,
        at=purchase.purchased_at,
        weight_mg=purchase.weight_mg,
        price_per_gram=purchase.price_per_gram,
        total=purchase.total,
        currency=purchase.currency,
        site=purchase.site.name,
        lot=purchase.lot.lot_number,
    )
    add(
        session,
        phone=miner.phone,
        member_id=miner.id,
        kind=MessageKind.RECEIPT,
        language=t.language,
        body=body,
        cause=f"purchase:{purchase.id}",
    )


def on_price(session: Session, post: PricePost) -> None:
    """The price to every active, opted-in member of the cooperative, each in their
    language; one SMS per phone and language (a shared household phone gets it once)."""
    members = session.execute(
        select(Member.id, Member.phone, Member.language)
        .where(
            Member.cooperative_id == post.cooperative_id,
            Member.status == MemberStatus.ACTIVE,
            Member.opted_out.is_(False),
            Member.left_on.is_(None),
        )
        .order_by(Member.id)
    ).all()
    s = settings.current()
    expires = post.posted_at + dt.timedelta(seconds=s.price_ttl)
    templates_by_language: dict[str, dict] = {}  # one rendered row per language, copied
    seen: set[tuple[str, str]] = set()
    rows = []
    for member_id, phone, language in members:
        t = translator(language, s.tz)
        if (phone, t.language) in seen:
            continue
        seen.add((phone, t.language))
        if t.language not in templates_by_language:
            body = templates.posted_price(t, post)
            templates_by_language[t.language] = row(
                phone="",
                member_id=None,
                kind=MessageKind.PRICE,
                language=t.language,
                body=body,
                cause=f"price:{post.id}",
                expires_at=expires,
            )
        rows.append({**templates_by_language[t.language], "phone": phone, "member_id": member_id})
    add_many(session, rows)
    log.info("price %s: %d SMS in %d languages", post.id, len(rows), len(templates_by_language))


def on_enrolment_code(session: Session, issued: Issued) -> None:
    """The member's enrolment code, in their language (``ledger.enrolment`` announces only
    codes for a phone that is the member's alone). The body is forgotten once it has left
    (``sender.forget_codes``); an SMS not sent before the code runs out is never sent."""
    member = issued.member
    t = translator(member.language, settings.current().tz)
    add(
        session,
        phone=member.phone,
        member_id=member.id,
        kind=MessageKind.ENROLMENT,
        language=t.language,
        body=templates.enrolment(t, code=issued.code, expires_at=issued.expires_at),
        cause=f"enrolment:{issued.code_id}",
        expires_at=issued.expires_at,
    )


def _after_commit(session: Session) -> None:
    if session.info.pop(_DIRTY, False):
        queue.kick()


def _after_rollback(session: Session) -> None:
    session.info.pop(_DIRTY, None)


def subscribe() -> None:
    """Idempotent: the books' events and the session hooks."""
    events.subscribe(events.PURCHASE_RECORDED, on_purchase)
    events.subscribe(events.PRICE_POSTED, on_price)
    events.subscribe(events.ENROLMENT_CODE_ISSUED, on_enrolment_code)
    if not event.contains(Session, "after_commit", _after_commit):
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_rollback", _after_rollback)
