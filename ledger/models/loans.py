"""A member's loans from the group's loan fund."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import BigInteger, CheckConstraint, Date, ForeignKey, Integer
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ledger.db import Base
from ledger.models.base import Recorded, enum_column
from ledger.models.groups import ChargeMethod
from ledger.models.members import Member


class LoanStatus(StrEnum):
    OPEN = "open"
    OVERDUE = "overdue"
    REPAID = "repaid"
    WRITTEN_OFF = "written_off"
    REVERSED = "reversed"  # recorded by mistake and reversed: it never happened


class Loan(Recorded, Base):
    __tablename__ = "loans"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"), index=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id"))
    principal: Mapped[int] = mapped_column(BigInteger)
    term_months: Mapped[int] = mapped_column(Integer)
    rate_bp: Mapped[int] = mapped_column(Integer)
    method: Mapped[ChargeMethod] = mapped_column(enum_column(ChargeMethod))
    disbursed_on: Mapped[dt.date] = mapped_column(Date)
    due_on: Mapped[dt.date] = mapped_column(Date)
    #: Length of a charge period: 30 days, or 28 (4 weeks), the group's rule when disbursed.
    period_days: Mapped[int] = mapped_column(Integer, default=30, server_default="30")
    #: Charge periods charged so far (the first at disbursement).
    periods_charged: Mapped[int] = mapped_column(Integer, default=0)
    charged: Mapped[int] = mapped_column(BigInteger, default=0)
    principal_paid: Mapped[int] = mapped_column(BigInteger, default=0)
    charge_paid: Mapped[int] = mapped_column(BigInteger, default=0)
    written_off: Mapped[int] = mapped_column(BigInteger, default=0)
    status: Mapped[LoanStatus] = mapped_column(enum_column(LoanStatus), default=LoanStatus.OPEN)
    closed_on: Mapped[dt.date | None] = mapped_column(Date)

    member: Mapped[Member] = relationship()

    __table_args__ = (
        CheckConstraint("principal > 0", name="principal"),
        CheckConstraint("principal_paid <= principal", name="overpaid_principal"),
        CheckConstraint("charge_paid <= charged", name="overpaid_charge"),
    )

    @property
    def principal_outstanding(self) -> int:
        return self.principal - self.principal_paid - self.written_off

    @property
    def charge_outstanding(self) -> int:
        return self.charged - self.charge_paid

    @property
    def outstanding(self) -> int:
        return self.principal_outstanding + self.charge_outstanding if self.is_open else 0

    @property
    def paid(self) -> int:
        return self.principal_paid + self.charge_paid

    @property
    def is_open(self) -> bool:
        return self.status in (LoanStatus.OPEN, LoanStatus.OVERDUE)
