"""Incident reports by SMS: ``RIPOTI``, ``RAPPORT``, ``REPORT`` or ``LAPOLO`` (any of the
words the catalogs list), then what happened; the first word after the keyword is the
site's code when it is one (``RIPOTI MBS-03 watu wenye silaha...``).

Anyone may report, member or not. A member's report names her to the coordinators (an
anonymous report is made over USSD); a stranger's keeps her phone. The acknowledgement,
with the incident's reference, is in the member's language, or a stranger's in the
language of the word she used. One phone's reports are capped a day
(``INCIDENTS_PER_PHONE_DAY``). No log line holds the text or the phone.
"""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ledger import codes, incidents
from ledger.defaults import INCIDENTS_PER_PHONE_DAY
from ledger.errors import LedgerError
from ledger.models import (
    InboundMessage,
    IncidentCategory,
    IncidentChannel,
    Member,
    Message,
    Site,
)
from locales import DEFAULT_LANGUAGE
from sms.keywords import Action, language_of

log = logging.getLogger(__name__)


def site_and_text(session: Session, text: str) -> tuple[Site | None, str]:
    """The site named by the word after the keyword (when it is a site's code), and the
    rest: what happened."""
    words = text.split()[1:]
    if words:
        try:
            site = codes.by_code(session, Site, words[0].strip(".,:;"), "site")
        except LedgerError:  # not a code at all: the report's first word
            site = None
        if site is not None:
            return site, " ".join(words[1:])
    return None, " ".join(words)


def reports_today(session: Session, phone: str, now: dt.datetime, before_id: int) -> int:
    """Reports this phone sent in the 24 hours before this one."""
    return session.scalar(
        select(func.count())
        .select_from(InboundMessage)
        .where(
            InboundMessage.phone == phone,
            InboundMessage.action == Action.REPORT.value,
            InboundMessage.received_at > now - dt.timedelta(days=1),
            InboundMessage.id != before_id,
        )
    )


def receive(
    session: Session,
    sms: InboundMessage,
    phone: str,
    members: list[Member],
    now: dt.datetime,
    may_reply: bool,
) -> tuple[str, int | None]:
    """Keep the report (unless the phone is over its daily cap). Returns what was done
    (``saved``; ``empty``: nothing said after the keyword, the caller replies how to report;
    ``capped``: not kept) and the acknowledgement's id, written by the event when
    ``may_reply``."""
    if reports_today(session, phone, now, sms.id) >= INCIDENTS_PER_PHONE_DAY:
        log.info("inbound %r: report over the daily cap, not kept", sms.gateway_id)
        return "capped", None
    site, words = site_and_text(session, sms.text)
    if not words.strip():
        return "empty", None
    reporter = members[0] if len(members) == 1 else None
    incident = incidents.report(
        session,
        text=words,
        category=IncidentCategory.OTHER,
        channel=IncidentChannel.SMS,
        site=site,
        reporter=reporter,
        phone=phone,
        language=language(members, sms.text),
        acknowledge=may_reply,
        at=now,
    )
    log.info("inbound %r: incident %s kept", sms.gateway_id, incident.reference)
    ack = session.scalar(select(Message.id).where(Message.cause == f"incident:{incident.id}"))
    return "saved", ack


def language(members: list[Member], text: str) -> str:
    """A member's own language; a stranger's, the language of the word she used."""
    return members[0].language if members else language_of(text) or DEFAULT_LANGUAGE
