"""Incident reports (iTSCi-style whistleblowing): anyone reports what happened at a site or
in the chain, by SMS or USSD; the report is kept with its site, category and text, raises
an open flag of kind ``incident`` (told to the coordinators in the hourly digest), and is
reviewed like any flag: confirmed (followed up) or dismissed (with a note why).

Who reported is shown to the coordinators of the report's cooperative only, and to nobody
when the reporter chose to stay anonymous: then neither the member nor the phone is kept.
The reporter's phone still gets the acknowledgement, through ``events.INCIDENT_REPORTED``
(the subject carries the phone; the incident does not).
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger import access, events
from ledger.days import local_day_of
from ledger.defaults import MAX_INCIDENT_TEXT
from ledger.errors import LedgerError
from ledger.evidence import review
from ledger.models import (
    Cooperative,
    Flag,
    FlagKind,
    FlagStatus,
    Incident,
    IncidentCategory,
    IncidentChannel,
    Member,
    Site,
    utcnow,
)

#: The categories in the order the USSD lists them (1 to 5).
CATEGORIES = tuple(IncidentCategory)


@dataclass
class Reported:
    """``events.INCIDENT_REPORTED``'s subject: the acknowledgement goes to ``phone`` in
    ``language`` (no phone: nobody to tell); the SMS layer sets ``message_id``."""

    incident: Incident
    phone: str | None
    language: str
    member_id: int | None = None
    message_id: int | None = None


def parse_category(value: object) -> IncidentCategory:
    try:
        return IncidentCategory(value.strip().lower() if isinstance(value, str) else "")
    except ValueError:
        raise LedgerError(
            "bad_category",
            f"category is one of {', '.join(c.value for c in CATEGORIES)}",
            "category",
        ) from None


def clean_text(value: object) -> str:
    """The report's words on one line, cut to ``MAX_INCIDENT_TEXT``; empty is refused."""
    text = " ".join(value.split()) if isinstance(value, str) else ""
    if not text:
        raise LedgerError("required", "say what happened (text)", "text")
    return text[:MAX_INCIDENT_TEXT]


def report(
    session: Session,
    *,
    text: object,
    category: object,
    channel: IncidentChannel,
    site: Site | None = None,
    reporter: Member | None = None,
    phone: str | None = None,
    anonymous: bool = False,
    language: str = "fr",
    acknowledge: bool = True,
    at: dt.datetime | None = None,
) -> Incident:
    """Keep a report and raise its open flag; the reporter's ``phone`` is acknowledged
    (unless not ``acknowledge``) and, unless ``anonymous``, kept with ``reporter`` for the
    coordinators. Flushes."""
    words = clean_text(text)
    kind = parse_category(category)
    at = at or utcnow()
    cooperative_id = site.cooperative_id if site is not None else None
    if cooperative_id is None and reporter is not None:
        cooperative_id = access.cooperative_of(reporter)
    flag = Flag(
        kind=FlagKind.INCIDENT,
        key=f"incident:new:{uuid.uuid4().hex}",  # its number once the incident has one
        cooperative_id=cooperative_id,
        site_id=site.id if site is not None else None,
        day=local_day_of(at),
        reason=f"incident reported: {kind.value.replace('_', ' ')}"
        + (f" at {site.code}" if site is not None else ""),
        details="{}",
        created_at=at,
    )
    session.add(flag)
    session.flush()
    incident = Incident(
        cooperative_id=cooperative_id,
        site_id=flag.site_id,
        category=kind,
        text=words,
        channel=channel,
        anonymous=bool(anonymous),
        reporter_member_id=None if anonymous or reporter is None else reporter.id,
        reporter_phone=None if anonymous else phone,
        created_at=at,
        flag=flag,
    )
    session.add(incident)
    session.flush()
    flag.key = f"incident:{incident.id}"
    flag.details = json.dumps(
        {"incident": incident.reference, "category": kind.value, "channel": channel.value},
        sort_keys=True,
    )
    session.flush()
    events.emit(
        events.INCIDENT_REPORTED,
        session,
        Reported(
            incident,
            phone if acknowledge else None,
            language,
            None if reporter is None else reporter.id,
        ),
    )
    return incident


# -- reading and reviewing (coordinators) -------------------------------------------------------


def may_see(actor: access.Actor, incident: Incident) -> bool:
    return access.may_follow_incidents(actor, incident.cooperative_id)


def list_incidents(
    session: Session,
    actor: access.Actor,
    *,
    status: FlagStatus | None = None,
    limit: int = 100,
    before_id: int | None = None,
) -> list[Incident]:
    """The incidents the caller follows, newest first; page with ``before_id``."""
    query = select(Incident).join(Flag, Incident.flag_id == Flag.id)
    if not actor.everywhere:
        if actor.coordinates is None:
            return []
        query = query.where(Incident.cooperative_id == actor.coordinates)
    if status is not None:
        query = query.where(Flag.status == status)
    if before_id is not None:
        query = query.where(Incident.id < before_id)
    return list(session.scalars(query.order_by(Incident.id.desc()).limit(limit)))


def review_incident(session: Session, incident: Incident, status: object, note: object) -> None:
    """Confirm, dismiss (a note says why) or open again: the review of its flag."""
    review.review(session, incident.flag, status, note)


def _iso(when: dt.datetime | None) -> str | None:
    return when.isoformat() + "Z" if when else None


def as_dict(session: Session, incident: Incident) -> dict:
    """What a coordinator reads: the reporter only when not anonymous."""
    site = session.get(Site, incident.site_id) if incident.site_id else None
    coop = session.get(Cooperative, incident.cooperative_id) if incident.cooperative_id else None
    reporter: dict = {"anonymous": incident.anonymous}
    if not incident.anonymous:
        member_id = incident.reporter_member_id
        member = session.get(Member, member_id) if member_id else None
        reporter.update(
            member_id=member.id if member else None,
            name=member.name if member else None,
            phone=incident.reporter_phone,
        )
    flag = incident.flag
    return {
        "id": incident.id,
        "reference": incident.reference,
        "category": incident.category.value,
        "text": incident.text,
        "channel": incident.channel.value,
        "site": site.code if site else None,
        "cooperative": coop.code if coop else None,
        "created_at": _iso(incident.created_at),
        "reporter": reporter,
        "flag_id": flag.id,
        "status": flag.status.value,
        "review": {"by": flag.reviewed_by, "at": _iso(flag.reviewed_at), "note": flag.review_note},
    }
