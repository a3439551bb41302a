"""Cooperatives, their mine sites and the prices they post."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import BigInteger, CheckConstraint, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ledger.db import Base
from ledger.models.base import Recorded, enum_column, utcnow


class SiteStatus(StrEnum):
    """ICGLR mine-site status; ``not_inspected`` is ICGLR's blue."""

    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"
    NOT_INSPECTED = "not_inspected"


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
