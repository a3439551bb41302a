"""API tokens (who may call the coordinator API), and the answers kept for retried requests."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from ledger.db import Base
from ledger.models.base import enum_column, utcnow


class ApiRole(StrEnum):
    """Who holds an API token: what they may see and write."""

    COORDINATOR = "coordinator"  # everything in the deployment
    OFFICER = "officer"  # one savings group: its members, meetings, share-out, statements
    BUYER = "buyer"  # one cooperative: gold purchases and its posted prices


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    role: Mapped[ApiRole] = mapped_column(enum_column(ApiRole))
    #: SHA-256 of the token; the token itself is shown once and never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id"))
    cooperative_id: Mapped[int | None] = mapped_column(ForeignKey("cooperatives.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class IdempotentRequest(Base):
    """The first answer to a POST with an ``Idempotency-Key``, replayed on retries."""

    __tablename__ = "idempotent_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_id: Mapped[int] = mapped_column(ForeignKey("api_tokens.id"))
    key: Mapped[str] = mapped_column(String(80))
    path: Mapped[str] = mapped_column(String(200))
    #: SHA-256 of method, path and body: the same key with another request is refused.
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime, default=utcnow, server_default=func.now()
    )

    __table_args__ = (UniqueConstraint("token_id", "key"),)
