"""SMS indicators: messages by kind, status and language, segments, and the cost the gateway
reported; delivery by the recipient's gender."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal, InvalidOperation

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ledger.evidence.measure import ratio
from ledger.evidence.settings import Period
from ledger.models import Member, Message, MessageStatus

UNITS = {"messages": "count", "segments": "count", "delivered": "count", "delivered_rate": "ratio"}


def parse_cost(text: str | None) -> tuple[str, Decimal] | None:
    """A gateway cost such as ``"KES 0.8000"`` (Africa's Talking) as (currency, amount)."""
    if not text:
        return None
    parts = text.replace("\u00a0", " ").split()
    if len(parts) != 2:
        return None
    for code, amount in (parts, parts[::-1]):
        if len(code) == 3 and code.isalpha():
            try:
                value = Decimal(amount)
            except InvalidOperation:
                continue
            if value.is_finite():
                return code.upper(), value
    return None


def sms_indicators(session: Session, period: Period) -> dict:
    """Messages created in ``period`` (a cooperative's: its members')."""
    where = [Message.created_at >= period.start, Message.created_at < period.end]
    if period.cooperative_id is not None:
        coop_members = select(Member.id).where(Member.cooperative_id == period.cooperative_id)
        where.append(Message.member_id.in_(coop_members))
    groups: dict[tuple[str, str, str], dict] = {}
    for kind, status, language, count, segments in session.execute(
        select(
            Message.kind,
            Message.status,
            Message.language,
            func.count(),
            func.coalesce(func.sum(Message.segments), 0),
        )
        .where(*where)
        .group_by(Message.kind, Message.status, Message.language)
    ):
        key = (str(kind), str(status), language)
        groups[key] = {"messages": int(count), "segments": int(segments), "cost": {}}
    unparsed = 0
    cost_total: dict[str, Decimal] = defaultdict(Decimal)
    for kind, status, language, cost in session.execute(
        select(Message.kind, Message.status, Message.language, Message.cost).where(
            *where, Message.cost.is_not(None)
        )
    ):
        parsed = parse_cost(cost)
        if parsed is None:
            unparsed += 1
            continue
        currency, amount = parsed
        bucket = groups[(str(kind), str(status), language)]["cost"]
        bucket[currency] = bucket.get(currency, Decimal(0)) + amount
        cost_total[currency] += amount

    by_gender = {g: {"messages": 0, "delivered": 0} for g in ("F", "M", "unknown")}
    for gender, status, count in session.execute(
        select(Member.gender, Message.status, func.count())
        .select_from(Message)
        .outerjoin(Member, Member.id == Message.member_id)
        .where(*where)
        .group_by(Member.gender, Message.status)
    ):
        slot = by_gender[gender.value if gender is not None else "unknown"]
        slot["messages"] += int(count)
        if str(status) == MessageStatus.DELIVERED:
            slot["delivered"] += int(count)
    for slot in by_gender.values():
        slot["delivered_rate"] = ratio(slot["delivered"], slot["messages"])
    messages = sum(g["messages"] for g in groups.values())
    delivered = sum(
        g["messages"] for (_, status, _), g in groups.items() if status == MessageStatus.DELIVERED
    )
    return {
        "since": period.since.isoformat(),
        "until": period.until.isoformat(),
        "by_kind_status_language": [
            {"kind": kind, "status": status, "language": language, **values}
            for (kind, status, language), values in sorted(groups.items())
        ],
        "totals": {
            "messages": messages,
            "segments": sum(g["segments"] for g in groups.values()),
            "delivered": delivered,
            "delivered_rate": ratio(delivered, messages),
            "cost": dict(sorted(cost_total.items())),
            "cost_unparsed": unparsed,
        },
        "by_gender": by_gender,
    }
