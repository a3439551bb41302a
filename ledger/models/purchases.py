"""Gold purchases: the miner's receipt."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, CheckConstraint, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ledger.db import Base, BigId
from ledger.models.base import Recorded, enum_column, utcnow
from ledger.models.gold import Site, SiteStatus
from ledger.models.lots import Lot
from ledger.models.members import Member


class Purchase(Recorded, Base):
    """A cooperative buyer's purchase of gold from a miner: the receipt."""

    __tablename__ = "purchases"

    id: Mapped[int] = mapped_column(primary_key=True)
    receipt_number: Mapped[str] = mapped_column(String(32), unique=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperatives.id"), index=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    miner_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    buyer_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    lot_id: Mapped[int] = mapped_column(ForeignKey("lots.id"), index=True)
    weight_mg: Mapped[int] = mapped_column(BigInteger)
    fineness_ppm: Mapped[int | None] = mapped_column(Integer)
    price_per_gram: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    total: Mapped[int] = mapped_column(BigInteger)
    purchased_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    #: The site's ICGLR status on the day of the purchase (after expiry): what the gold was
    #: bought under, whatever the site becomes later.
    site_status: Mapped[SiteStatus | None] = mapped_column(enum_column(SiteStatus))
    entry_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("entries.id"))

    miner: Mapped[Member] = relationship(foreign_keys=[miner_id])
    site: Mapped[Site] = relationship()
    lot: Mapped[Lot] = relationship()

    __table_args__ = (
        CheckConstraint("weight_mg > 0", name="weight"),
        CheckConstraint("total > 0", name="total"),
    )
