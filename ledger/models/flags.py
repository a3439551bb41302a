"""Flags: signals that gold may come from somewhere other than it claims."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import Date, DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ledger.db import Base
from ledger.models.base import enum_column, utcnow


class FlagKind(StrEnum):
    """Signals that a purchase may launder gold from elsewhere ("spot the liar")."""

    SITE_CAPACITY = "site_capacity"  # 30-day grams from a site above its estimated capacity
    MINER_OUTLIER = "miner_outlier"  # a miner far above the median miner of the site
    UNREGISTERED_SELLER = "unregistered_seller"  # no ID, not a miner, inactive, other site
    MULTI_SITE_DAY = "multi_site_day"  # one miner selling at several sites in one day
    SITE_STATUS = "site_status"  # bought from a not-inspected site (or one since made red)
    PRICE_ABOVE_POSTED = "price_above_posted"  # price per gram far above the posted price
    #: A savings group's box counted at a meeting's end differs from its books.
    CASH_COUNT_DIFFERENCE = "cash_count_difference"
    PAYOUT_UNKNOWN = "payout_unknown"  # a mobile-money payout unsettled for more than a day
    UNDERPAYMENT = "underpayment"  # price per gram below the posted price, past a tolerance
    INCIDENT = "incident"  # someone reported an incident (``ledger.incidents``)


#: The kinds a gold purchase raises (``ledger.evidence``); the others are a group's or a
#: payout's.
PURCHASE_KINDS = frozenset(FlagKind) - {
    FlagKind.CASH_COUNT_DIFFERENCE,
    FlagKind.PAYOUT_UNKNOWN,
    FlagKind.INCIDENT,
}
#: The kinds the coordinators' hourly digest tells of: a purchase's, and a report's.
DIGEST_KINDS = PURCHASE_KINDS | {FlagKind.INCIDENT}


class FlagStatus(StrEnum):
    """A flag's review: open until a coordinator confirms it (a real problem, followed up)
    or dismisses it (explained); a dismissed flag opens again when its numbers change."""

    OPEN = "open"
    CONFIRMED = "confirmed"
    DISMISSED = "dismissed"


class Flag(Base):
    """A stored signal with its reason and the numbers behind it. Flags never block a
    purchase; recomputing one updates the row found by ``key``, never adds a second."""

    __tablename__ = "flags"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[FlagKind] = mapped_column(enum_column(FlagKind))
    #: What the flag is about (``site_capacity:3:2025-03-04``): one row per subject.
    key: Mapped[str] = mapped_column(String(120), unique=True)
    #: The cooperative of a purchase's flag; none for a savings group's own (``group_id``).
    cooperative_id: Mapped[int | None] = mapped_column(ForeignKey("cooperatives.id"), index=True)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id"), index=True)
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id"))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"), index=True)
    #: The purchase that first raised it.
    purchase_id: Mapped[int | None] = mapped_column(ForeignKey("purchases.id"), index=True)
    #: Local day (or first day of the month) the flag is about.
    day: Mapped[dt.date] = mapped_column(Date, index=True)
    reason: Mapped[str] = mapped_column(String(200))
    #: JSON object: the numbers behind the reason (integers and exact decimal strings).
    details: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    status: Mapped[FlagStatus] = mapped_column(
        enum_column(FlagStatus), default=FlagStatus.OPEN, server_default=FlagStatus.OPEN.value
    )
    #: The last review: who (an author tag, ``ledger.authors``), when, and why.
    reviewed_by: Mapped[str | None] = mapped_column(String(24))
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    review_note: Mapped[str | None] = mapped_column(String(200))
    #: When the coordinators' digest told of it (null: not yet; set again when it reopens).
    notified_at: Mapped[dt.datetime | None] = mapped_column(DateTime, index=True)
