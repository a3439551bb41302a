"""Cooperatives, their mine sites and the prices they post."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ledger.db import Base
from ledger.models.base import Recorded, enum_column, utcnow


class SiteStatus(StrEnum):
    """ICGLR mine-site status (MD.01 codes 1 green, 2 yellow, 3 red, 0 blue). Blue, "not yet
    inspected", is stored as ``not_inspected`` (its name before the four colours were used);
    ``SiteStatus.BLUE`` is the same member."""

    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"
    NOT_INSPECTED = "not_inspected"
    BLUE = "not_inspected"  # an alias: the same member as NOT_INSPECTED

    @property
    def colour(self) -> str:
        """The ICGLR colour: green, yellow, red or blue."""
        return "blue" if self is SiteStatus.NOT_INSPECTED else self.value

    @property
    def icglr_code(self) -> int:
        return {"green": 1, "yellow": 2, "red": 3}.get(self.value, 0)


class Cooperative(Base):
    __tablename__ = "cooperatives"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Site(Base):
    __tablename__ = "sites"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperatives.id"), index=True)
    #: GPS in micro-degrees (exact; 0.11 m resolution).
    lat_micro: Mapped[int | None] = mapped_column(Integer)
    lon_micro: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[SiteStatus] = mapped_column(
        enum_column(SiteStatus), default=SiteStatus.NOT_INSPECTED
    )
    capacity_mg_per_month: Mapped[int] = mapped_column(BigInteger)
    #: Local day of the inspection that gave ``status`` (green expires a year after it).
    inspected_on: Mapped[dt.date | None] = mapped_column(Date)
    #: A yellow site's last day to fix its problems; red the day after.
    deadline: Mapped[dt.date | None] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    cooperative: Mapped[Cooperative] = relationship()

    __table_args__ = (CheckConstraint("capacity_mg_per_month >= 0", name="capacity"),)


class PricePost(Recorded, Base):
    __tablename__ = "price_posts"

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperatives.id"))
    usd_per_gram: Mapped[int] = mapped_column(BigInteger)  # US cents
    cdf_per_gram: Mapped[int | None] = mapped_column(BigInteger)  # centimes
    posted_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    posted_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    cooperative: Mapped[Cooperative] = relationship()

    __table_args__ = (Index("ix_price_posts_latest", "cooperative_id", "posted_at"),)


class SiteChange(Recorded, Base):
    """The history of a site's status and capacity: every change, who made it (``recorded_by``),
    when, from what to what, and why. Never changed, never deleted."""

    __tablename__ = "site_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    #: ``status`` or ``capacity``.
    field: Mapped[str] = mapped_column(String(16))
    #: Before and after: a status value, or milligrams a month; no "before" at creation.
    old_value: Mapped[str | None] = mapped_column(String(24))
    new_value: Mapped[str] = mapped_column(String(24))
    inspected_on: Mapped[dt.date | None] = mapped_column(Date)
    deadline: Mapped[dt.date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(String(200))
