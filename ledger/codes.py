"""Codes of groups, cooperatives and sites: how one is written, and the row it names."""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.defaults import MAX_CODE_LENGTH
from ledger.errors import LedgerError

Coded = TypeVar("Coded")


def clean_code(raw: object, field: str = "code") -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise LedgerError("required", f"{field} is required", field)
    code = raw.strip().upper()
    if len(code) > MAX_CODE_LENGTH or not all(c.isalnum() or c in "-_" for c in code):
        raise LedgerError(
            "bad_code", f"{field} is letters, digits, - and _ (at most {MAX_CODE_LENGTH})", field
        )
    return code


def by_code(
    session: Session, model: type[Coded], code: object, field: str = "code"
) -> Coded | None:
    """The ``model`` row (a ``Group``, ``Cooperative`` or ``Site``) with this code, or None.
    A code that cannot be one (empty, too long, odd characters) raises ``LedgerError``."""
    clean = clean_code(code, field)
    return session.scalar(select(model).where(model.code == clean))
