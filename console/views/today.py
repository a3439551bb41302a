"""Today (``/console/``): the posted price and its age, new flags, meetings due today and not
yet recorded, and for a coordinator the SMS outbox's health and whether a worker runs."""

from __future__ import annotations

import datetime as dt

from flask import current_app
from sqlalchemy import func, select

from console import auth
from console.pages import bp, render
from ledger import access, db, gold
from ledger.days import local_today
from ledger.models import (
    Cooperative,
    Flag,
    FlagStatus,
    Group,
    Meeting,
    Message,
    MessageStatus,
    utcnow,
)

#: Flags this recent are "new" on the Today page.
NEW_FLAG_DAYS = 7
WAITING = (MessageStatus.PENDING, MessageStatus.QUEUED, MessageStatus.SENDING)


def age_minutes(at: dt.datetime) -> int:
    return max(0, int((utcnow() - at).total_seconds() // 60))


def sms_health(session) -> dict:
    counts = dict(
        session.execute(select(Message.status, func.count()).group_by(Message.status)).all()
    )
    oldest = session.scalar(select(func.min(Message.created_at)).where(Message.status.in_(WAITING)))
    return {
        "waiting": sum(counts.get(s, 0) for s in WAITING),
        "unknown": counts.get(MessageStatus.UNKNOWN, 0),
        "failed": counts.get(MessageStatus.FAILED, 0) + counts.get(MessageStatus.REJECTED, 0),
        "oldest_minutes": age_minutes(oldest) if oldest else None,
    }


def workers_alive() -> int | None:
    """RQ workers registered in Redis (None when Redis does not answer)."""
    from rq import Worker

    try:
        return Worker.count(connection=current_app.extensions["redis"])
    except Exception:  # Redis down: the page still shows the books
        return None


@bp.get("/")
def today():
    session = db.session()
    actor = auth.actor()
    coops = [session.get(Cooperative, c) for c in access.cooperative_ids(session, actor)]
    prices = []
    for coop in coops:
        post = gold.latest_price(session, coop.id)
        prices.append((coop, post, age_minutes(post.posted_at) if post else None))
    since = utcnow() - dt.timedelta(days=NEW_FLAG_DAYS)
    new_flags = (
        session.scalar(
            select(func.count())
            .select_from(Flag)
            .where(
                Flag.cooperative_id.in_([c.id for c in coops]),
                Flag.created_at >= since,
                Flag.status == FlagStatus.OPEN,  # not reviewed yet
            )
        )
        if coops
        else 0
    )
    day = local_today(current_app.config["SANDUKU_TZ"])
    recorded = select(Meeting.group_id).where(Meeting.held_on == day)
    due = list(
        session.scalars(
            select(Group)
            .where(
                Group.id.in_(access.group_ids(session, actor)),
                Group.meeting_weekday == day.weekday(),
                Group.id.not_in(recorded),
            )
            .order_by(Group.name)
        )
    )
    coordinator = actor.everywhere or actor.coordinates is not None
    return render(
        "today.html",
        prices=prices,
        new_flags=new_flags,
        flag_days=NEW_FLAG_DAYS,
        due=due,
        day=day,
        sms=sms_health(session) if coordinator else None,
        workers=workers_alive() if coordinator else None,
        coordinator=coordinator,
    )
