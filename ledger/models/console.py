"""What the console keeps of its own: the forms already saved, so a form sent twice (a slow
connection, a second tap) writes once."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ledger.db import Base
from ledger.models.base import utcnow


class ConsoleSubmission(Base):
    """One saved form, by the random key the form carried; written in the same transaction
    as what the form saved, so the unique key decides between two sends racing."""

    __tablename__ = "console_submissions"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    #: Where the saved thing is shown (the meeting's page).
    result: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
