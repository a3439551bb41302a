"""Payouts: money handed to a miner, in cash against a one-time code or by mobile money."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import BigInteger, CheckConstraint, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ledger.db import Base
from ledger.models.base import Recorded, enum_column, utcnow
from ledger.models.members import Member
from ledger.models.premiums import PayoutMethod


class PayoutState(StrEnum):
    """Lifecycle of a payout (the database is the source of truth; RQ carries ids):

    pending -> submitted        claimed by one worker (conditional UPDATE), committed
                                before the provider is called
    submitted -> paid           the provider accepted it (or its callback / status says so)
    submitted -> failed         the provider refused it (``failure_reason``)
    submitted -> unknown        the call timed out, or its worker died: it may have gone out;
                                never sent again blindly, settled by the provider's status
                                query (same reference) or its callback
    unknown -> paid | failed    settled by the status query or the callback
    failed -> pending           a retryable failure, retried after a backoff, at most
                                ``PAYOUT_MAX_ATTEMPTS`` times in all
    pending -> paid             cash: the buyer records the miner's one-time code
    """

    PENDING = "pending"
    SUBMITTED = "submitted"
    PAID = "paid"
    FAILED = "failed"
    UNKNOWN = "unknown"


class Payout(Recorded, Base):
    __tablename__ = "payouts"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Our reference, sent as the provider's idempotency key: one payout, one reference.
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    #: What it pays: ``premium_line:12`` or ``purchase:34`` (one payout per cause).
    cause: Mapped[str] = mapped_column(String(40), unique=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperatives.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    method: Mapped[PayoutMethod] = mapped_column(enum_column(PayoutMethod))
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    state: Mapped[PayoutState] = mapped_column(
        enum_column(PayoutState), default=PayoutState.PENDING
    )
    #: Provider calls made (claims), retries included.
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    #: Submitted: the claim is stale after this (dead worker -> unknown).
    lease_until: Mapped[dt.datetime | None] = mapped_column(DateTime)
    #: Cash: keyed hash of the one-time code in the miner's SMS (null once used).
    code_hash: Mapped[str | None] = mapped_column(String(64))
    provider_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    failure_reason: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    #: When it last became ``unknown`` (more than a day: a flag).
    unknown_since: Mapped[dt.datetime | None] = mapped_column(DateTime)
    paid_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    #: Who handed the cash over (an author tag).
    paid_by: Mapped[str | None] = mapped_column(String(24))
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("entries.id"))

    member: Mapped[Member] = relationship()

    __table_args__ = (
        CheckConstraint("amount > 0", name="amount"),
        Index("ix_payouts_state_id", "state", "id"),
    )
