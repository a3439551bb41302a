"""The gold chain beyond the cooperative: exporters and refiners a lot goes to, and the taxes
paid on the gold at the site or the cooperative."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from ledger.db import Base
from ledger.models.base import Recorded, enum_column, utcnow


class PartnerKind(StrEnum):
    EXPORTER = "exporter"  # a licensed exporter (comptoir) a lot is shipped to
    REFINER = "refiner"  # the refinery the exporter sends the gold to


class Partner(Recorded, Base):
    """An exporter or a refiner: a firm of the chain, known by its licence (or registration)
    number in its country. One deployment-wide list, kept by the coordinators."""

    __tablename__ = "partners"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[PartnerKind] = mapped_column(enum_column(PartnerKind))
    name: Mapped[str] = mapped_column(String(80))
    #: The export licence (an exporter) or the registration number (a refiner).
    licence: Mapped[str] = mapped_column(String(64))
    #: ISO 3166-1 alpha-2 code of the country that gave the licence.
    country: Mapped[str] = mapped_column(String(2))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("kind", "country", "licence"),)


class TaxPlace(StrEnum):
    SITE = "site"  # paid at the mine site (to the local authority, a service on site)
    COOPERATIVE = "cooperative"  # paid by the cooperative


class TaxPayment(Recorded, Base):
    """A tax paid on gold, against one purchase or one lot, with the payee's receipt."""

    __tablename__ = "tax_payments"

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperatives.id"), index=True)
    lot_id: Mapped[int | None] = mapped_column(ForeignKey("lots.id"), index=True)
    purchase_id: Mapped[int | None] = mapped_column(ForeignKey("purchases.id"), index=True)
    place: Mapped[TaxPlace] = mapped_column(enum_column(TaxPlace))
    #: What the tax is, as the receipt names it (optional).
    tax: Mapped[str | None] = mapped_column(String(80))
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    payee: Mapped[str] = mapped_column(String(80))
    receipt_number: Mapped[str] = mapped_column(String(64))
    paid_on: Mapped[dt.date] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    __table_args__ = (
        CheckConstraint("amount > 0", name="amount"),
        CheckConstraint("(lot_id IS NULL) <> (purchase_id IS NULL)", name="one_subject"),
    )
