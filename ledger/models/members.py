"""Members: people, their roles, and the phone they share."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ledger.db import Base
from ledger.models.base import enum_column, utcnow
from ledger.models.gold import Cooperative, Site
from ledger.models.groups import Group


class Gender(StrEnum):
    F = "F"
    M = "M"


class Role(StrEnum):
    MEMBER = "member"
    MINER = "miner"
    OFFICER = "officer"
    BUYER = "buyer"
    COORDINATOR = "coordinator"


class MemberStatus(StrEnum):
    ACTIVE = "active"
    INACTIVE = "inactive"


class Member(Base):
    """A person. One phone may belong to several members (a shared household phone)."""

    __tablename__ = "members"

    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str] = mapped_column(String(16), index=True)  # E.164
    name: Mapped[str] = mapped_column(String(80))
    #: Case- and space-folded name: with the phone, what a re-import matches on.
    name_key: Mapped[str] = mapped_column(String(80))
    gender: Mapped[Gender] = mapped_column(enum_column(Gender))
    language: Mapped[str] = mapped_column(String(2), default="sw")
    #: Comma-separated ``Role`` values.
    roles: Mapped[str] = mapped_column(String(80), default="member")
    id_document: Mapped[str | None] = mapped_column(String(80))
    status: Mapped[MemberStatus] = mapped_column(
        enum_column(MemberStatus), default=MemberStatus.ACTIVE
    )
    opted_out: Mapped[bool] = mapped_column(Boolean, default=False)
    pin_hash: Mapped[str | None] = mapped_column(String(200))
    pin_failures: Mapped[int] = mapped_column(Integer, default=0)
    pin_locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime)
    #: The console's password (staff only): a library KDF's hash, set by ``sanduku user
    #: password``; wrong passwords count and lock like the PIN (``ledger.logins``).
    password_hash: Mapped[str | None] = mapped_column(String(200))
    password_failures: Mapped[int] = mapped_column(Integer, default=0)
    password_locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id"), index=True)
    cooperative_id: Mapped[int | None] = mapped_column(ForeignKey("cooperatives.id"), index=True)
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id"), index=True)
    joined_on: Mapped[dt.date | None] = mapped_column(Date)
    left_on: Mapped[dt.date | None] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    group: Mapped[Group | None] = relationship()
    cooperative: Mapped[Cooperative | None] = relationship()
    site: Mapped[Site | None] = relationship()

    __table_args__ = (UniqueConstraint("phone", "name_key"),)

    @property
    def role_set(self) -> set[str]:
        return {r for r in self.roles.split(",") if r}

    def has_role(self, role: str) -> bool:
        return role in self.role_set

    @property
    def first_name(self) -> str:
        return self.name.split()[0] if self.name.split() else self.name


class EnrolmentCode(Base):
    """A one-time code an officer or coordinator issues so a member can choose a PIN (the
    first, or a new one after an unlock). Stored only as a keyed hash of the code and the
    member; valid until ``expires_at``, used once; issuing another voids it."""

    __tablename__ = "enrolment_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    #: HMAC-SHA256 (keyed with the server secret) of the member id and the code, hex.
    code_hash: Mapped[str] = mapped_column(String(64))
    #: Who issued it: a member over USSD, or an API token.
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    token_id: Mapped[int | None] = mapped_column(ForeignKey("api_tokens.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)
    used_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    voided_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
