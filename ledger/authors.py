"""Who did it: every row a person's action creates in the books (journal entries, meetings,
loans, purchases, price posts, lot events) records who did it, so a coordinator can read
"recorded by" on any page and an auditor can follow a correction back to its author.

A channel says once per request who is acting (``record_as``): the USSD conversation for the
member who dialled, the API for the token, the console for the logged-in user. Rows created
in that session are stamped when they are flushed (``stamp``), so the books' own functions
need no extra argument and no write can forget it. Work nobody asked for (the worker's
scans, the command line) leaves the column empty.

Stored as a short tag: ``ussd:12`` and ``console:12`` (member 12 on the phone or in the
console), ``token:3`` (API token 3).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from ledger.models import ApiToken, Member, Recorded

#: ``session.info`` key holding the current author's tag.
_KEY = "sanduku.author"

#: The channels a person acts through, and whether the id names a member or a token.
CHANNELS = {"ussd": "member", "console": "member", "token": "token"}


@dataclass(frozen=True)
class Author:
    channel: str
    id: int

    def __post_init__(self) -> None:
        if self.channel not in CHANNELS or not isinstance(self.id, int) or self.id < 1:
            raise ValueError(f"not an author: {self.channel}:{self.id}")

    @property
    def tag(self) -> str:
        return f"{self.channel}:{self.id}"

    @classmethod
    def parse(cls, tag: str | None) -> Author | None:
        channel, _, number = (tag or "").partition(":")
        try:
            return cls(channel, int(number))
        except ValueError:
            return None


def record_as(session: Session, author: Author | None) -> None:
    """Rows this session creates from now on are recorded as ``author``'s (None: nobody's)."""
    if author is None:
        session.info.pop(_KEY, None)
    else:
        session.info[_KEY] = author.tag


def current(session: Session) -> Author | None:
    return Author.parse(session.info.get(_KEY))


def stamp(session: Session, _context, _instances) -> None:
    """``before_flush``: new rows of recorded tables take the session's author."""
    tag = session.info.get(_KEY)
    if tag is None:
        return
    for obj in session.new:
        if isinstance(obj, Recorded) and obj.recorded_by is None:
            obj.recorded_by = tag


def install() -> None:
    """Stamp every session's new rows (idempotent; called when the database is configured)."""
    if not event.contains(Session, "before_flush", stamp):
        event.listen(Session, "before_flush", stamp)


def label(session: Session, tag: str | None) -> str | None:
    """``Mapendo Ngabo (USSD)``, ``Mapendo Ngabo (console)``, ``API: Secretary Tujenge``:
    who recorded a row, for a page that shows it. None when nobody did (the system)."""
    author = Author.parse(tag)
    if author is None:
        return None
    if CHANNELS[author.channel] == "token":
        name = session.scalar(select(ApiToken.name).where(ApiToken.id == author.id))
        return f"API: {name or author.id}"
    name = session.scalar(select(Member.name).where(Member.id == author.id))
    return f"{name or author.id} ({'USSD' if author.channel == 'ussd' else 'console'})"
