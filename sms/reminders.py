"""Meeting reminders, scheduled from the database: a periodic scan writes the rows that are
due. The evening before (``group.remind_evening_hour``, local) and ``remind_hours_before``
hours before; when both are due (a worker was down), only the later one goes. The unique
(cause, member, kind) constraint makes the scan idempotent across scans and workers.
"""

from __future__ import annotations

import datetime as dt
import logging
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ledger import loans, vsla
from ledger.models import (
    Group,
    Member,
    MemberStatus,
    Message,
    MessageKind,
    utcnow,
)
from locales import translator
from sms import outbox, templates
from sms.settings import Settings

log = logging.getLogger(__name__)


def due_reminder(group: Group, now_local: dt.datetime) -> tuple[MessageKind, dt.datetime] | None:
    """The reminder of ``group`` due at ``now_local`` (aware), with its meeting (naive local)."""
    now = now_local.replace(tzinfo=None)
    meeting = vsla.next_meeting(group, now)
    day_starts = dt.datetime.combine(meeting.date(), dt.time())
    windows = []  # (from, until, kind): an evening reminder is stale once the day has come
    if group.remind_evening_hour is not None:
        eve = dt.datetime.combine(
            meeting.date() - dt.timedelta(days=1), dt.time(group.remind_evening_hour)
        )
        windows.append((eve, min(day_starts, meeting), MessageKind.REMINDER_EVE))
    if group.remind_hours_before is not None:
        before = meeting - dt.timedelta(hours=group.remind_hours_before)
        windows.append((before, meeting, MessageKind.REMINDER_DAY))
    due = [(start, kind) for start, until, kind in windows if start <= now < until]
    if not due:
        return None
    return max(due)[1], meeting


def _insert_ignoring_duplicates(session: Session, rows: list[dict]) -> int:
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(Message).on_conflict_do_nothing(
        index_elements=["cause", "member_id", "kind"]
    )
    result = session.execute(statement.returning(Message.id), rows)
    return len(result.all())


def write_due(session: Session, settings: Settings, now: dt.datetime | None = None) -> int:
    """Write every reminder due now; returns how many rows were new. Commits."""
    tz = ZoneInfo(settings.tz)
    now_local = (now or utcnow()).replace(tzinfo=dt.UTC).astimezone(tz)
    groups = session.scalars(
        select(Group).where(
            or_(Group.remind_evening_hour.is_not(None), Group.remind_hours_before.is_not(None))
        )
    ).all()
    written = 0
    for group in groups:
        found = due_reminder(group, now_local)
        if found is None:
            continue
        kind, meeting = found
        cause = f"meeting:{group.id}:{meeting:%Y%m%d}"
        already = set(
            session.scalars(
                select(Message.member_id).where(Message.cause == cause, Message.kind == kind)
            )
        )
        members = [
            m
            for m in session.scalars(
                select(Member)
                .where(
                    Member.group_id == group.id,
                    Member.status == MemberStatus.ACTIVE,
                    Member.left_on.is_(None),
                )
                .order_by(Member.id)
            )
            if m.id not in already
        ]
        if not members:
            continue
        due = loans.owed_by_day(session, group, meeting.date())
        expires = meeting.replace(tzinfo=tz).astimezone(dt.UTC).replace(tzinfo=None)
        rows = []
        for member in members:
            t = translator(member.language, settings.tz)
            body = templates.reminder(
                t,
                name=member.first_name,
                group=group.name,
                meeting_local=meeting,
                today_local=now_local.date(),
                due=due.get(member.id, 0),
                currency=group.currency,
            )
            rows.append(
                outbox.row(
                    phone=member.phone,
                    member_id=member.id,
                    kind=kind,
                    language=t.language,
                    body=body,
                    cause=cause,
                    expires_at=expires,
                )
            )
        new = _insert_ignoring_duplicates(session, rows)
        session.commit()
        written += new
        log.info("reminders for %s on %s: %d new", group.code, meeting.date(), new)
    session.commit()
    return written
