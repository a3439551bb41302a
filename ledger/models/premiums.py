"""Premiums paid back to the miners: the plan, its lines (one per miner), and payouts."""

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
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ledger.db import Base, BigId
from ledger.models.base import Recorded, enum_column, utcnow
from ledger.models.gold import Cooperative
from ledger.models.members import Member


class PremiumBasis(StrEnum):
    FINE_GRAMS = "fine_grams"  # in proportion to the fine gold each miner sold
    GRAMS = "grams"  # in proportion to the gold's weight


class PremiumStatus(StrEnum):
    PLANNED = "planned"  # a distribution plan, nothing in the books yet
    APPROVED = "approved"  # posted to the journal: each line is owed to its miner


class PayoutMethod(StrEnum):
    CASH = "cash"  # at the cooperative, against the one-time code in the miner's SMS
    MOBILE_MONEY = "mobile_money"  # to the miner's phone through the payout gateway


class LineState(StrEnum):
    """A miner's line of a premium.

    planned -> payable   approved, and with what was carried to it at least the minimum
    planned -> carried   approved, but below the minimum: waits for her next premium
    carried -> absorbed  taken into a later line of hers (``carried_into_id``)
    payable -> paid      its payout was paid
    """

    PLANNED = "planned"
    PAYABLE = "payable"
    CARRIED = "carried"
    ABSORBED = "absorbed"
    PAID = "paid"


class Premium(Recorded, Base):
    """A premium the cooperative received for traceable gold (lots, or a period of sales),
    split among the miners who sold that gold."""

    __tablename__ = "premiums"

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperatives.id"), index=True)
    currency: Mapped[str] = mapped_column(String(3))
    #: The whole premium, minor units: community share plus every miner's share.
    amount: Mapped[int] = mapped_column(BigInteger)
    basis: Mapped[PremiumBasis] = mapped_column(enum_column(PremiumBasis))
    #: Comma-separated lot numbers the premium was paid for, or empty for a period.
    lots: Mapped[str | None] = mapped_column(String(400))
    period_from: Mapped[dt.date | None] = mapped_column(Date)
    period_to: Mapped[dt.date | None] = mapped_column(Date)
    #: Community share as parts per million, its amount and whose it is (a group, or the
    #: cooperative's community account when no group is named).
    community_ppm: Mapped[int] = mapped_column(Integer, default=0)
    community_amount: Mapped[int] = mapped_column(BigInteger, default=0)
    community_group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id"))
    method: Mapped[PayoutMethod] = mapped_column(enum_column(PayoutMethod))
    status: Mapped[PremiumStatus] = mapped_column(
        enum_column(PremiumStatus), default=PremiumStatus.PLANNED
    )
    note: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    approved_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    #: Who approved it (an author tag, like ``recorded_by``).
    approved_by: Mapped[str | None] = mapped_column(String(24))
    entry_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("entries.id"))

    cooperative: Mapped[Cooperative] = relationship()
    lines: Mapped[list[PremiumLine]] = relationship(
        back_populates="premium", order_by="PremiumLine.member_id"
    )

    __table_args__ = (
        CheckConstraint("amount > 0", name="amount"),
        CheckConstraint("community_amount >= 0", name="community"),
    )


class PremiumLine(Base):
    """One miner's part of a premium."""

    __tablename__ = "premium_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    premium_id: Mapped[int] = mapped_column(ForeignKey("premiums.id"))
    #: Indexed with ``state`` (a miner's carried lines, her premiums on the phone).
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    #: Comma-separated numbers of the lots her gold went into.
    lots: Mapped[str] = mapped_column(String(400))
    #: What she sold (mg), and how much of it counted (mg of fine gold or of gold).
    weight_mg: Mapped[int] = mapped_column(BigInteger)
    counted_mg: Mapped[int] = mapped_column(BigInteger)
    #: Milligrams of her gold whose fineness was unknown, counted at the plan's average.
    unknown_fineness_mg: Mapped[int] = mapped_column(BigInteger, default=0)
    #: Her share of this premium, and what earlier premiums carried to it (minor units).
    share: Mapped[int] = mapped_column(BigInteger)
    carried_in: Mapped[int] = mapped_column(BigInteger, default=0)
    state: Mapped[LineState] = mapped_column(enum_column(LineState), default=LineState.PLANNED)
    carried_into_id: Mapped[int | None] = mapped_column(ForeignKey("premium_lines.id"))

    premium: Mapped[Premium] = relationship(back_populates="lines")
    member: Mapped[Member] = relationship()

    @property
    def due(self) -> int:
        return self.share + self.carried_in

    __table_args__ = (
        UniqueConstraint("premium_id", "member_id"),
        CheckConstraint("share >= 0", name="share"),
        Index("ix_premium_lines_carried", "member_id", "state"),
    )
