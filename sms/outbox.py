"""Writing the outbox: a message row is added in the same transaction as its cause (a price
post adds one broadcast row instead, which a worker writes out: ``sms.broadcasts``).

``subscribe()`` (called by ``sms.init_app``) hooks it to the books' events, so a purchase or a
price post can never be committed without its SMS rows, nor the rows without it. After such a
commit the relay is kicked (best effort); the periodic relay is the guarantee.
"""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import event, insert
from sqlalchemy.orm import Session

from ledger import events
from ledger.enrolment import Issued
from ledger.incidents import Reported
from ledger.models import (
    LineState,
    Member,
    Message,
    MessageKind,
    MessageStatus,
    Purchase,
    utcnow,
)
from ledger.payouts import NewCode, by_cause
from ledger.premiums import settings as premium_settings
from ledger.premiums.approve import Approved
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
        mobile_money=bool(by_cause(session, [f"purchase:{purchase.id}"])),
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


def on_premium(session: Session, approved: Approved) -> None:
    """Each miner of an approved premium, in her language: her lots, grams and share, and
    how it is paid (cash with her code, mobile money, or carried to her next premium)."""
    premium = approved.premium
    minimum = premium_settings.current().min_payout[premium.currency]
    tz = settings.current().tz
    for line in premium.lines:
        if line.due <= 0:
            continue  # nothing for her (a few milligrams of a small premium)
        member = line.member
        t = translator(member.language, tz)
        carried = line.state == LineState.CARRIED
        add(
            session,
            phone=member.phone,
            member_id=member.id,
            kind=MessageKind.PREMIUM,
            language=t.language,
            body=templates.premium(
                t,
                lots=line.lots.split(","),
                weight_mg=line.weight_mg,
                amount=line.due,
                currency=premium.currency,
                code=approved.codes.get(line.id),
                minimum=minimum if carried else None,
            ),
            cause=f"premium:{premium.id}",
        )


def on_cash_code(session: Session, issued: NewCode) -> None:
    """A cash payout's new code, to its miner's phone only (forgotten once sent)."""
    payout = issued.payout
    miner = session.get(Member, payout.member_id)
    t = translator(miner.language, settings.current().tz)
    add(
        session,
        phone=miner.phone,
        member_id=miner.id,
        kind=MessageKind.PREMIUM,
        language=t.language,
        body=templates.cash_code(
            t, code=issued.code, amount=payout.amount, currency=payout.currency
        ),
        cause=f"payout:{payout.id}",
    )


def on_incident(session: Session, reported: Reported) -> None:
    """The reporter's acknowledgement with the incident's reference, in her language. An
    anonymous report's SMS names no incident in its cause: the message log does not tie
    the phone to the report."""
    if reported.phone is None:
        return
    t = translator(reported.language, settings.current().tz)
    incident = reported.incident
    message = add(
        session,
        phone=reported.phone,
        member_id=None if incident.anonymous else reported.member_id,
        kind=MessageKind.REPLY,
        language=t.language,
        body=templates.incident_saved(t, incident.reference),
        cause="incident" if incident.anonymous else f"incident:{incident.id}",
    )
    reported.message_id = message.id


def _after_commit(session: Session) -> None:
    if session.info.pop(_DIRTY, False):
        queue.kick()


def _after_rollback(session: Session) -> None:
    session.info.pop(_DIRTY, None)


def subscribe() -> None:
    """Idempotent: the books' events and the session hooks (a price post's broadcast is
    ``sms.broadcasts.subscribe``'s)."""
    events.subscribe(events.PURCHASE_RECORDED, on_purchase)
    events.subscribe(events.ENROLMENT_CODE_ISSUED, on_enrolment_code)
    events.subscribe(events.PREMIUM_APPROVED, on_premium)
    events.subscribe(events.INCIDENT_REPORTED, on_incident)
    events.subscribe(events.CASH_CODE_ISSUED, on_cash_code)
    if not event.contains(Session, "after_commit", _after_commit):
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_rollback", _after_rollback)
