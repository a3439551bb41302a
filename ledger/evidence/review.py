"""Flags people act on: a coordinator confirms a flag (a real problem, followed up) or
dismisses it (explained), with a note; who and when are kept. A dismissed flag stays
dismissed on the next scan unless its numbers change (``flags.save`` opens it again); the
cooperative's coordinators are told of new flags by an hourly SMS digest.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger import authors
from ledger.errors import LedgerError
from ledger.models import DIGEST_KINDS, Flag, FlagKind, FlagStatus, Site, utcnow

#: Longest review note.
MAX_NOTE = 200


def parse_status(value: object) -> FlagStatus:
    try:
        return FlagStatus(value.strip().lower() if isinstance(value, str) else "")
    except ValueError:
        raise LedgerError(
            "bad_status", "status is open, confirmed or dismissed", "status"
        ) from None


def review(session: Session, flag: Flag, status: object, note: object = None) -> Flag:
    """Set a flag's review. Dismissing needs a note (why it is not a problem); confirming or
    opening again may have one. Who: the session's author (``ledger.authors``)."""
    new = parse_status(status)
    if note is not None and (not isinstance(note, str) or len(note.strip()) > MAX_NOTE):
        raise LedgerError("too_long", f"note is at most {MAX_NOTE} characters", "note")
    note = note.strip() if isinstance(note, str) and note.strip() else None
    if new == FlagStatus.DISMISSED and note is None:
        raise LedgerError("required", "say why the flag is dismissed (note)", "note")
    author = authors.current(session)
    flag.status = new
    flag.review_note = note
    flag.reviewed_by = author.tag if author else None
    flag.reviewed_at = utcnow()
    session.flush()
    return flag


def reopen_if_changed(flag: Flag, details: str) -> bool:
    """``flags.save`` calls this before refreshing a flag's numbers: a dismissed flag whose
    numbers change is open again (and told of again); a confirmed one stays confirmed."""
    if flag.status == FlagStatus.DISMISSED and flag.details != details:
        flag.status = FlagStatus.OPEN
        flag.notified_at = None
        return True
    return False


# -- the digest --------------------------------------------------------------------------------


def untold(session: Session) -> dict[int, list[Flag]]:
    """Open flags on purchases and incident reports nobody has been told of yet, by
    cooperative (a group's cash count and a payout's flags are read in the console and the
    API, not in the digest; a report of no known cooperative in the API)."""
    found: dict[int, list[Flag]] = defaultdict(list)
    for flag in session.scalars(
        select(Flag)
        .where(
            Flag.notified_at.is_(None),
            Flag.status == FlagStatus.OPEN,
            Flag.kind.in_(DIGEST_KINDS),
            Flag.cooperative_id.is_not(None),
        )
        .order_by(Flag.cooperative_id, Flag.id)
    ):
        found[flag.cooperative_id].append(flag)
    return dict(found)


def summary(session: Session, flags: list[Flag]) -> list[tuple[FlagKind, int, list[str]]]:
    """(kind, how many, site codes) per kind, the most frequent first: what the digest says."""
    site_ids = {f.site_id for f in flags if f.site_id}
    codes = (
        dict(session.execute(select(Site.id, Site.code).where(Site.id.in_(site_ids))).all())
        if site_ids
        else {}
    )
    counts = Counter(f.kind for f in flags)
    sites_of: dict[FlagKind, set[str]] = defaultdict(set)
    for f in flags:
        if f.site_id in codes:
            sites_of[f.kind].add(codes[f.site_id])
    order = sorted(counts, key=lambda k: (-counts[k], k.value))
    return [(kind, counts[kind], sorted(sites_of[kind])) for kind in order]


def mark_told(flags: list[Flag], at: dt.datetime | None = None) -> None:
    when = at or utcnow()
    for flag in flags:
        flag.notified_at = when
