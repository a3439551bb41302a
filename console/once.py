"""A form that writes does it once. Each such form carries a random ``key``; the key of a
saved form is kept with the address of what it saved, in the same transaction, so the same
form sent again (a slow connection, a second tap) goes there instead of writing twice."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from console import auth
from ledger import db
from ledger.errors import LedgerError
from ledger.models import ConsoleSubmission

KEY = re.compile(r"[0-9a-f]{32}")


def new_key() -> str:
    return secrets.token_hex(16)


def valid(key: str | None) -> bool:
    return bool(KEY.fullmatch(key or ""))


def saved(key: str) -> str | None:
    """Where the form with this key was saved, or None when it was not (yet)."""
    done = db.session().scalar(select(ConsoleSubmission).where(ConsoleSubmission.key == key))
    return done.result if done is not None else None


def save(key: str, result: str, write: Callable[[], object]) -> None:
    """``write`` and the key together, or nothing: a refusal of the books is rolled back and
    raised; the same form saved meanwhile by a second send leaves the first one's work."""
    session = db.session()
    try:
        write()
        session.add(ConsoleSubmission(key=key, member_id=auth.member().id, result=result))
        session.commit()
    except LedgerError:
        session.rollback()
        raise
    except IntegrityError:  # the same form sent twice at once: the other one saved it
        session.rollback()
