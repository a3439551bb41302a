"""Helpers of every table: naive-UTC timestamps and enums stored as checked strings."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import Enum, String
from sqlalchemy.orm import Mapped, mapped_column


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def enum_column(cls: type[StrEnum]) -> Enum:
    return Enum(
        cls,
        native_enum=False,
        create_constraint=True,
        length=24,
        values_callable=lambda e: [m.value for m in e],
        name=cls.__name__.lower(),
    )


class Recorded:
    """Mixin of the tables whose rows say who created them (``ledger.authors``): a tag such as
    ``ussd:12``, ``console:12`` or ``token:3``; empty for the system's own work."""

    recorded_by: Mapped[str | None] = mapped_column(String(24))
