"""Inbound SMS: recorded once by the webhook (the gateway's id is unique), acted on once by a
worker (an atomic claim of the row, committed with its effects and its reply).

STOP and START change every member on the sending phone (a household phone is one
subscriber); PRICE answers with the cooperative's latest price; BALANCE says balances are
only on USSD with a PIN (phones are shared: never a balance by SMS); anything else gets a
short help. Replies are in the language of the first member on the phone.

An incident report (REPORT, RIPOTI...) is taken from anyone (``sms.incidents``). Otherwise
only a member's phone gets an answer: other senders are recorded and ignored, and a phone
gets at most ``SMS_REPLIES_PER_HOUR`` replies an hour, so a loop with an auto-responder or a
forged flood costs nothing. No log line holds the phone number or the text.
"""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ledger import gold
from ledger.errors import LedgerError
from ledger.members import members_on_phone, parse_phone
from ledger.models import InboundMessage, Member, MemberStatus, Message, MessageKind, utcnow
from locales import translator
from sms import incidents, outbox, templates
from sms.gateways import Inbound
from sms.keywords import Action, read
from sms.settings import Settings

log = logging.getLogger(__name__)


def record(session: Session, inbound: Inbound) -> int | None:
    """Store the SMS; None when this gateway id was already stored. Commits."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    new_id = session.execute(
        insert(InboundMessage)
        .values(
            gateway_id=inbound.gateway_id,
            phone=inbound.phone,
            to=inbound.to,
            text=inbound.text,
            link_id=inbound.link_id,
            received_at=inbound.received_at or utcnow(),
        )
        .on_conflict_do_nothing(index_elements=["gateway_id"])
        .returning(InboundMessage.id)
    ).scalar()
    session.commit()
    return new_id


def _reply_text(
    session: Session, action: Action, members: list[Member], language: str, settings: Settings
):
    t = translator(language, settings.tz)
    if action == Action.STOP:
        return templates.plain(t, templates.STOPPED)
    if action == Action.START:
        return templates.plain(t, templates.STARTED)
    if action == Action.BALANCE:
        return templates.balance_on_ussd(t, settings.ussd_code)
    if action == Action.PRICE:
        coop_id = next((m.cooperative_id for m in members if m.cooperative_id), None)
        post = gold.latest_price(session, coop_id)
        if post is None:
            return templates.plain(t, templates.NO_PRICE)
        return templates.posted_price(t, post)
    return templates.plain(t, templates.HELP)


def process(session: Session, inbound_id: int, settings: Settings) -> str | None:
    """Act on one stored SMS, once. Returns the action, or None if already done. Commits."""
    now = utcnow()
    claimed = session.execute(
        update(InboundMessage)
        .where(InboundMessage.id == inbound_id, InboundMessage.processed_at.is_(None))
        .values(processed_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not claimed:
        session.rollback()
        return None
    sms = session.get(InboundMessage, inbound_id)
    action = read(sms.text)
    sms.action = str(action)
    try:
        phone = parse_phone(sms.phone)
    except LedgerError:
        phone = None
    members = (
        [m for m in members_on_phone(session, phone) if m.status == MemberStatus.ACTIVE]
        if phone
        else []
    )
    if action == Action.REPORT and phone:
        _report(session, sms, phone, members, now, settings)
        return str(action)
    if not members:
        session.commit()
        log.info("inbound %r: %s from no member's phone, not answered", sms.gateway_id, action)
        return str(action)
    if action in (Action.STOP, Action.START):
        for member in members:
            member.opted_out = action == Action.STOP
    if _replies_last_hour(session, phone, now) >= settings.replies_per_hour:
        session.commit()
        log.info("inbound %r: %s, not answered (reply limit reached)", sms.gateway_id, action)
        return str(action)
    first = members[0]
    language = translator(first.language).language
    reply = outbox.add(
        session,
        phone=phone,
        member_id=first.id,
        kind=MessageKind.REPLY,
        language=language,
        body=_reply_text(session, action, members, language, settings),
        cause=f"inbound:{sms.id}",
    )
    sms.reply_id = reply.id
    session.commit()
    log.info("inbound %r: %s", sms.gateway_id, action)
    log.debug("inbound %r from %s", sms.gateway_id, phone)
    return str(action)


def _report(
    session: Session,
    sms: InboundMessage,
    phone: str,
    members: list[Member],
    now: dt.datetime,
    settings: Settings,
) -> None:
    """An incident report, from anyone: kept and acknowledged; the keyword alone is answered
    with how to report. Commits."""
    may_reply = _replies_last_hour(session, phone, now) < settings.replies_per_hour
    outcome, reply_id = incidents.receive(session, sms, phone, members, now, may_reply)
    if outcome == "empty" and may_reply:
        t = translator(incidents.language(members, sms.text), settings.tz)
        reply_id = outbox.add(
            session,
            phone=phone,
            member_id=members[0].id if members else None,
            kind=MessageKind.REPLY,
            language=t.language,
            body=templates.plain(t, templates.INCIDENT_HOW),
            cause=f"inbound:{sms.id}",
        ).id
    sms.reply_id = reply_id
    session.commit()
    log.info("inbound %r: report, %s", sms.gateway_id, outcome)


def _replies_last_hour(session: Session, phone: str, now: dt.datetime) -> int:
    return session.scalar(
        select(func.count())
        .select_from(Message)
        .where(
            Message.phone == phone,
            Message.kind == MessageKind.REPLY,
            Message.created_at > now - dt.timedelta(hours=1),
        )
    )
