"""The SMS account's balance, read by a worker every ``SMS_BALANCE_INTERVAL`` (15 minutes):
left in Redis for ``/metrics``; under ``SMS_BALANCE_LOW`` it is "low" and every active
coordinator gets one SMS about it (once a day at most), before sends start failing with 405.
"""

from __future__ import annotations

import logging
import time
from decimal import Decimal

import redis
from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.models import Member, MemberStatus, Message, MessageKind, utcnow
from sms import alerts, outbox, stats, templates
from sms.gateways import Gateway
from sms.settings import Settings

log = logging.getLogger(__name__)


def coordinators(session: Session) -> list[Member]:
    candidates = session.scalars(
        select(Member)
        .where(Member.status == MemberStatus.ACTIVE, Member.roles.contains("coordinator"))
        .order_by(Member.id)
    )
    return [member for member in candidates if member.has_role("coordinator")]


def alert_coordinators(session: Session, settings: Settings, amount: str, currency: str) -> int:
    """One SMS to each active coordinator, in their language; once a day (the cause)."""
    cause = f"credit_low:{utcnow():%Y-%m-%d}"
    already = set(
        session.scalars(
            select(Message.member_id).where(
                Message.cause == cause, Message.kind == MessageKind.ALERT
            )
        )
    )
    people, seen = [], set()
    for member in coordinators(session):
        if member.id in already or member.phone in seen:
            continue
        seen.add(member.phone)
        people.append(member)
    rows = alerts.alert_rows(
        people,
        settings,
        cause,
        lambda t: templates.credit_low(t, amount=amount, currency=currency),
    )
    return outbox.add_many(session, rows)


def check(session: Session, gateway: Gateway, connection: redis.Redis, settings: Settings) -> dict:
    """Read the balance, keep it for ``/metrics``, alert the coordinators when it just went
    low. Raises ``GatewayError`` when the gateway cannot say (the worker logs it)."""
    read = gateway.balance()
    if read is None:
        return {"balance": None}
    amount, currency = read
    low = settings.balance_low > 0 and amount < Decimal(str(settings.balance_low))
    before = stats.balance(connection)
    stats.store_balance(connection, str(amount), currency, low, time.time())
    alerted = 0
    if low:
        log.warning(
            "SMS credit low: %s %s, under SMS_BALANCE_LOW=%s",
            currency,
            amount,
            settings.balance_low,
        )
        if before is None or not before["low"]:
            alerted = alert_coordinators(session, settings, str(amount), currency)
            session.commit()
    return {"balance": str(amount), "currency": currency, "low": low, "alerted": alerted}
