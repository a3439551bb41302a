"""Savings groups: their rules, cycles, meetings, attendance and shares held."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Time,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ledger.db import Base
from ledger.models.base import Recorded, enum_column, utcnow
from ledger.models.gold import Cooperative


class ChargeMethod(StrEnum):
    FLAT = "flat"  # rate x principal every 30 days
    DECLINING = "declining"  # rate x outstanding principal every 30 days


class ChargePeriod(StrEnum):
    """How often a loan's service charge falls due (the first at disbursement)."""

    DAYS_30 = "30_days"  # Ledger Link's documented rule
    WEEKS_4 = "4_weeks"  # what Ledger Link's app does: 4 weekly meetings

    @property
    def days(self) -> int:
        return 30 if self is ChargePeriod.DAYS_30 else 28


class LeaverRule(StrEnum):
    """The constitution's choice for a member who leaves mid-cycle."""

    SAVINGS_ONLY = "savings_only"  # the price of her shares back, no part of the profit
    SAVINGS_AND_PROFIT = "savings_and_profit"  # her shares' value today, profit included


class Group(Base):
    """A village savings and loan association and its rules for the cycle."""

    __tablename__ = "groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    cooperative_id: Mapped[int | None] = mapped_column(ForeignKey("cooperatives.id"), index=True)
    currency: Mapped[str] = mapped_column(String(3))
    share_value: Mapped[int] = mapped_column(BigInteger)
    max_shares: Mapped[int] = mapped_column(Integer, default=5)
    social_fund_contribution: Mapped[int] = mapped_column(BigInteger, default=0)
    #: Monthly service charge in basis points (1000 = 10 %).
    service_charge_bp: Mapped[int] = mapped_column(Integer)
    service_charge_method: Mapped[ChargeMethod] = mapped_column(
        enum_column(ChargeMethod), default=ChargeMethod.FLAT
    )
    charge_period: Mapped[ChargePeriod] = mapped_column(
        enum_column(ChargePeriod), default=ChargePeriod.DAYS_30, server_default="30_days"
    )
    leaver_rule: Mapped[LeaverRule] = mapped_column(
        enum_column(LeaverRule), default=LeaverRule.SAVINGS_ONLY, server_default="savings_only"
    )
    #: Each member present gets an SMS once the meeting closes.
    meeting_sms: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    loan_cap_multiple: Mapped[int] = mapped_column(Integer, default=3)
    max_loan_term_months: Mapped[int] = mapped_column(Integer, default=3)
    #: 0 = Monday ... 6 = Sunday, local time.
    meeting_weekday: Mapped[int] = mapped_column(Integer)
    meeting_time: Mapped[dt.time] = mapped_column(Time)
    #: Reminders: the evening before at this local hour, and this many hours before.
    remind_evening_hour: Mapped[int | None] = mapped_column(Integer, default=18)
    remind_hours_before: Mapped[int | None] = mapped_column(Integer, default=2)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    cooperative: Mapped[Cooperative | None] = relationship()

    __table_args__ = (
        CheckConstraint("share_value > 0", name="share_value"),
        CheckConstraint("max_shares BETWEEN 1 AND 10", name="max_shares"),
        CheckConstraint("meeting_weekday BETWEEN 0 AND 6", name="weekday"),
        CheckConstraint("service_charge_bp BETWEEN 0 AND 10000", name="rate"),
    )


class Cycle(Base):
    """One year of a group's savings, ended by the share-out."""

    __tablename__ = "cycles"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"))
    number: Mapped[int] = mapped_column(Integer)
    start_on: Mapped[dt.date] = mapped_column(Date)
    end_on: Mapped[dt.date] = mapped_column(Date)
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    #: Members at the start of the cycle (dropout indicator's denominator).
    members_at_start: Mapped[int | None] = mapped_column(Integer)

    group: Mapped[Group] = relationship()

    __table_args__ = (UniqueConstraint("group_id", "number"),)


class Meeting(Recorded, Base):
    __tablename__ = "meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"))
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id"), index=True)
    held_on: Mapped[dt.date] = mapped_column(Date)
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    #: The box counted aloud at the end (minor units), and what the books held then.
    loan_fund_counted: Mapped[int | None] = mapped_column(BigInteger)
    social_fund_counted: Mapped[int | None] = mapped_column(BigInteger)
    loan_fund_books: Mapped[int | None] = mapped_column(BigInteger)
    social_fund_books: Mapped[int | None] = mapped_column(BigInteger)
    counted_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    #: Once closed, only a correction (a reversal) adds to the meeting.
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    __table_args__ = (UniqueConstraint("group_id", "held_on"),)

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None

    @property
    def loan_fund_difference(self) -> int | None:
        """Counted minus books: negative when the box holds less than the books say."""
        if self.loan_fund_counted is None or self.loan_fund_books is None:
            return None
        return self.loan_fund_counted - self.loan_fund_books

    @property
    def social_fund_difference(self) -> int | None:
        if self.social_fund_counted is None or self.social_fund_books is None:
            return None
        return self.social_fund_counted - self.social_fund_books


class Attendance(Base):
    __tablename__ = "attendance"

    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), primary_key=True)
    present: Mapped[bool] = mapped_column(Boolean)
    #: Present through someone sent in her place (counted as present, shown apart).
    represented: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    #: Shares bought at this meeting (at most the group's ``max_shares``).
    shares: Mapped[int] = mapped_column(Integer, default=0)


class Holding(Base):
    """Shares a member has bought in a cycle (the count; their value is in the journal)."""

    __tablename__ = "holdings"

    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id"), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), primary_key=True)
    shares: Mapped[int] = mapped_column(Integer, default=0)
