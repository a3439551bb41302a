"""Lots of gold and their custody log (ICGLR MD.12)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import BigInteger, CheckConstraint, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ledger.db import Base
from ledger.models.base import Recorded, enum_column, utcnow
from ledger.models.gold import Site


class LotStatus(StrEnum):
    OPEN = "open"  # purchases are still being added
    SEALED = "sealed"  # closed and tagged; no more input
    SHIPPED = "shipped"  # left the custodian
    COMBINED = "combined"  # became an input of another lot


class LotOperation(StrEnum):
    """ICGLR originating operation of a lot."""

    PRODUCTION = "production"
    PURCHASE = "purchase"
    COMBINATION = "combination"
    PROCESSING = "processing"
    TRANSPORT = "transport"
    STORAGE = "storage"
    IMPORT = "import"
    EXPORT = "export"


class Lot(Base):
    """A lot of gold in the sense of the ICGLR MD.12 lot record."""

    __tablename__ = "lots"

    id: Mapped[int] = mapped_column(primary_key=True)
    lot_number: Mapped[str] = mapped_column(String(32), unique=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperatives.id"), index=True)
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id"))
    operation: Mapped[LotOperation] = mapped_column(enum_column(LotOperation))
    #: ICGLR creator role: 1 miner, 2 trader, ... 7 exporter.
    creator_role: Mapped[int] = mapped_column(Integer, default=2)
    custodian_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    mass_mg: Mapped[int] = mapped_column(BigInteger, default=0)
    #: Mass of fine gold when the fineness of every input is known.
    fine_mg: Mapped[int | None] = mapped_column(BigInteger)
    status: Mapped[LotStatus] = mapped_column(enum_column(LotStatus), default=LotStatus.OPEN)
    tag: Mapped[str | None] = mapped_column(String(64), unique=True)
    #: Who issued the tag (ICGLR MD.12 tag issuer); the tag date is ``sealed_at``.
    tag_issuer: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    sealed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    shipped_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    #: Who the lot was shipped to (an exporter) and where the gold goes to be refined.
    exporter_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id"))
    refiner_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id"))
    export_certificate: Mapped[str | None] = mapped_column(String(64))
    #: How the lot is packed (``packageType``, ``nrOfPackages``), given at seal or ship.
    package_type: Mapped[str | None] = mapped_column(String(40))
    nr_of_packages: Mapped[int | None] = mapped_column(Integer)

    site: Mapped[Site | None] = relationship()

    __table_args__ = (CheckConstraint("nr_of_packages > 0", name="nr_of_packages"),)


class LotInput(Base):
    __tablename__ = "lot_inputs"

    output_lot_id: Mapped[int] = mapped_column(ForeignKey("lots.id"), primary_key=True)
    #: A lot goes into one combination at most.
    input_lot_id: Mapped[int] = mapped_column(ForeignKey("lots.id"), primary_key=True, unique=True)


class LotAction(StrEnum):
    CREATED = "created"  # a combination or processing lot was formed from its inputs
    COMBINED = "combined"  # this lot went into another lot (note: the output lot number)
    SEALED = "sealed"  # bagged, tagged and sealed (note: the tag)
    SHIPPED = "shipped"  # left its custodian (note: the destination)


class LotEvent(Recorded, Base):
    """The custody log of a lot: what happened to it, when, and who held it afterwards."""

    __tablename__ = "lot_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lots.id"), index=True)
    action: Mapped[LotAction] = mapped_column(enum_column(LotAction))
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    custodian_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    note: Mapped[str | None] = mapped_column(String(200))
