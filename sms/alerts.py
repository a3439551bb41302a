"""SMS to a cooperative's coordinators, written by periodic scans from the database: a site
that turned red (rated red, or its yellow deadline passed) or whose yellow deadline is near,
and (hourly at most) a digest of new flags. The unique (cause, member, kind) constraint makes
each scan idempotent across scans and workers: one SMS per event per coordinator.
"""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger import sites
from ledger.days import local_day_of
from ledger.evidence import review
from ledger.models import Member, MemberStatus, MessageKind, utcnow
from locales import translator
from sms import outbox, templates
from sms.reminders import _insert_ignoring_duplicates as insert_new
from sms.settings import Settings

log = logging.getLogger(__name__)


def coordinators(session: Session, cooperative_id: int) -> list[Member]:
    """The cooperative's active coordinators, who are told of its sites and flags."""
    return [
        m
        for m in session.scalars(
            select(Member)
            .where(
                Member.cooperative_id == cooperative_id,
                Member.status == MemberStatus.ACTIVE,
                Member.roles.contains("coordinator"),
            )
            .order_by(Member.id)
        )
        if m.has_role("coordinator")
    ]


def alert_rows(people: list[Member], settings: Settings, cause: str, render) -> list[dict]:
    """An ALERT outbox row for each of ``people``, ``render(translator)`` in their language."""
    rows = []
    for member in people:
        t = translator(member.language, settings.tz)
        rows.append(
            outbox.row(
                phone=member.phone,
                member_id=member.id,
                kind=MessageKind.ALERT,
                language=t.language,
                body=render(t),
                cause=cause,
            )
        )
    return rows


def write_site_alerts(session: Session, settings: Settings, today: dt.date | None = None) -> int:
    """One SMS per coordinator for each site that turned red lately or whose yellow deadline
    is 14 days away or less. Returns how many rows were new. Commits."""
    today = today or local_day_of(utcnow())
    written = 0
    for alert in sites.alerts_due(session, today):
        people = coordinators(session, alert.site.cooperative_id)
        if not people:
            continue
        rows = alert_rows(
            people,
            settings,
            alert.cause,
            lambda t, a=alert: templates.site_alert(
                t, kind=a.kind, site=a.site.name, code=a.site.code, day=a.day
            ),
        )
        written += insert_new(session, rows)
    session.commit()
    if written:
        log.info("site alerts: %d new", written)
    return written


def write_flag_digest(session: Session, settings: Settings, now: dt.datetime | None = None) -> int:
    """One SMS per coordinator of each cooperative with open flags nobody was told of, then
    those flags are marked told (in the same transaction). Run hourly: at most one digest an
    hour. A cooperative without a coordinator keeps its flags untold until it has one.
    Returns how many rows were new. Commits."""
    now = now or utcnow()
    written = 0
    for cooperative_id, flags in review.untold(session).items():
        people = coordinators(session, cooperative_id)
        if not people:
            continue
        kinds = [(k.value, n, codes) for k, n, codes in review.summary(session, flags)]
        total = len(flags)
        rows = alert_rows(
            people,
            settings,
            f"flags:{cooperative_id}:{now:%Y%m%d%H%M}",
            lambda t, n=total, k=kinds: templates.flag_digest(t, n, k),
        )
        written += insert_new(session, rows)
        review.mark_told(flags, now)
    session.commit()
    if written:
        log.info("flag digests: %d new", written)
    return written
