"""The double-entry journal: accounts with maintained balances, entries and their lines."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import BigInteger, CheckConstraint, Date, DateTime, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ledger.db import Base, BigId
from ledger.models.base import Recorded, enum_column, utcnow


class AccountKind(StrEnum):
    """Debits are positive, credits negative; assets carry debit balances."""

    LOAN_FUND_CASH = "loan_fund_cash"  # group asset: the box's loan fund
    SOCIAL_FUND_CASH = "social_fund_cash"  # group asset: the social (solidarity) fund
    SAVINGS = "savings"  # member liability: value of shares bought this cycle
    LOAN_RECEIVABLE = "loan_receivable"  # member asset: principal and charges owed
    SOCIAL_CONTRIBUTIONS = "social_contributions"  # member equity: paid into the social fund
    SOCIAL_GRANTS = "social_grants"  # member: grants received from the social fund
    SERVICE_CHARGE_INCOME = "service_charge_income"  # group income
    FINE_INCOME = "fine_income"  # group income: fines go to the loan fund
    EXPENSES = "expenses"  # group: paid from the loan fund
    WRITE_OFFS = "write_offs"  # group: loans given up on
    CYCLE_PROFIT = "cycle_profit"  # group equity: income closed into it at share-out
    GOLD_STOCK = "gold_stock"  # cooperative asset: gold bought, at cost
    GOLD_CASH = "gold_cash"  # cooperative asset: cash paid out to miners
    PREMIUM_RECEIVED = "premium_received"  # cooperative asset: premiums received, not paid out
    PREMIUM_PAYABLE = "premium_payable"  # member liability: her premium, owed until paid
    COMMUNITY_PAYABLE = "community_payable"  # group or cooperative: a premium's community share


class EntryKind(StrEnum):
    SHARES = "shares"
    SOCIAL_FUND = "social_fund"
    SOCIAL_GRANT = "social_grant"
    FINE = "fine"
    LOAN = "loan"
    SERVICE_CHARGE = "service_charge"
    REPAYMENT = "repayment"
    WRITE_OFF = "write_off"
    EXPENSE = "expense"
    CLOSE_CYCLE = "close_cycle"
    SHARE_OUT = "share_out"
    GOLD_PURCHASE = "gold_purchase"
    PREMIUM = "premium"
    PREMIUM_PAYOUT = "premium_payout"
    REVERSAL = "reversal"


class Account(Base):
    """A journal account with its maintained balance (sum of its lines, kept in step by
    ``journal.post`` in the same transaction), so balances never scan the journal."""

    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: ``kind:currency:group:member:cooperative``: one account per owner, kind and currency.
    key: Mapped[str] = mapped_column(String(80), unique=True)
    kind: Mapped[AccountKind] = mapped_column(enum_column(AccountKind))
    currency: Mapped[str] = mapped_column(String(3))
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id"), index=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"), index=True)
    cooperative_id: Mapped[int | None] = mapped_column(ForeignKey("cooperatives.id"))
    balance: Mapped[int] = mapped_column(BigInteger, default=0)


class Entry(Recorded, Base):
    """A balanced, immutable journal entry; corrected only by a reversing entry."""

    __tablename__ = "entries"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    kind: Mapped[EntryKind] = mapped_column(enum_column(EntryKind))
    currency: Mapped[str] = mapped_column(String(3))
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id"))
    cooperative_id: Mapped[int | None] = mapped_column(ForeignKey("cooperatives.id"))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id"), index=True)
    loan_id: Mapped[int | None] = mapped_column(ForeignKey("loans.id"), index=True)
    occurred_on: Mapped[dt.date] = mapped_column(Date)
    memo: Mapped[str | None] = mapped_column(String(200))
    reverses_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("entries.id"), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    lines: Mapped[list[Line]] = relationship(back_populates="entry", order_by="Line.id")

    __table_args__ = (
        Index("ix_entries_member_recent", "member_id", "id"),
        Index("ix_entries_group_recent", "group_id", "id"),
    )


class Line(Base):
    __tablename__ = "lines"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    entry_id: Mapped[int] = mapped_column(BigId, ForeignKey("entries.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    #: Minor units: debit > 0, credit < 0; the lines of an entry sum to zero.
    amount: Mapped[int] = mapped_column(BigInteger)

    entry: Mapped[Entry] = relationship(back_populates="lines")

    __table_args__ = (CheckConstraint("amount <> 0", name="nonzero"),)
