"""SMS: the outbox and the messages members send us."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from ledger.db import Base, BigId
from ledger.models.base import enum_column, utcnow


class MessageStatus(StrEnum):
    """Lifecycle of an outgoing SMS (the database is the source of truth; RQ carries ids):

    pending -> queued -> sending -> sent -> delivered | failed | rejected  (delivery reports)
    sending -> rejected                     the gateway refused it for good
    sending -> pending (next_attempt_at)    a retryable refusal; failed once retries are spent
    sending -> unknown                      timed out, or its worker died: it may have gone out
    unknown -> sent | delivered             settled by a delivery report
    unknown -> pending                      no report within the grace period: sent again
    pending | queued | unknown -> failed    past ``expires_at`` (a reminder after its meeting)
    """

    PENDING = "pending"  # written with its cause; waiting for the relay (or a retry time)
    QUEUED = "queued"  # its id is on an RQ queue; requeued if the lease runs out
    SENDING = "sending"  # claimed by one worker, gateway call in flight until ``lease_until``
    SENT = "sent"  # accepted by the gateway: never sent again
    DELIVERED = "delivered"  # the handset has it (delivery report)
    FAILED = "failed"  # gave up after retries, expired, or the network failed it
    REJECTED = "rejected"  # the gateway or network refused it for good (bad number, blacklist)
    UNKNOWN = "unknown"  # the gateway call timed out: it may have gone out


class MessageKind(StrEnum):
    RECEIPT = "receipt"  # gold sale receipt to the miner (personal, always sent)
    REMINDER_EVE = "reminder_eve"  # meeting reminder the evening before (personal)
    REMINDER_DAY = "reminder_day"  # meeting reminder hours before (personal)
    PRICE = "price"  # price broadcast to opted-in members (same text per language)
    REPLY = "reply"  # answer to an inbound SMS
    ENROLMENT = "enrolment"  # a member's enrolment code (body forgotten once it has gone)
    MEETING = "meeting"  # what a member paid at a closed meeting and where she stands
    LEAVER = "leaver"  # a member's payout when she leaves the group
    SHARE_OUT = "share_out"  # a member's payout at the share-out
    PREMIUM = "premium"  # a miner's share of a premium and how it is paid (personal)
    #: To coordinators: a site turned red or nears its deadline, new flags, low SMS credit.
    ALERT = "alert"


class Message(Base):
    """The outbox: every SMS is a row first, written with the event that causes it."""

    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    phone: Mapped[str] = mapped_column(String(16))  # E.164
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"), index=True)
    kind: Mapped[MessageKind] = mapped_column(enum_column(MessageKind))
    language: Mapped[str] = mapped_column(String(2))
    #: The text as it goes out: already transliterated to GSM-7 where possible.
    body: Mapped[str] = mapped_column(Text)
    encoding: Mapped[str] = mapped_column(String(8), default="GSM-7")
    segments: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[MessageStatus] = mapped_column(
        enum_column(MessageStatus), default=MessageStatus.PENDING
    )
    #: Gateway calls made for it (claims), retries included.
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    #: Sent again once already because a call ended ``unknown``: the next ``unknown`` fails it.
    resent: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    #: A pending row waits until then (retry backoff); null = as soon as possible.
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    #: Queued or sending: the relay takes the row back after this (lost job, dead worker).
    #: Unknown: the grace period ends then.
    lease_until: Mapped[dt.datetime | None] = mapped_column(DateTime)
    #: Never sent after this (a reminder once the meeting has begun, a stale price).
    expires_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    #: Whose purchase, price post, meeting... caused it (``purchase:12``), for dedup.
    cause: Mapped[str | None] = mapped_column(String(40))
    gateway_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    failure_reason: Mapped[str | None] = mapped_column(String(80))
    cost: Mapped[str | None] = mapped_column(String(24))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    delivered_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    __table_args__ = (
        UniqueConstraint("cause", "member_id", "kind"),
        CheckConstraint("segments >= 1", name="segments"),
        Index("ix_messages_status_id", "status", "id"),
        Index("ix_messages_phone_status", "phone", "status"),
        #: The retention purge and the SMS indicators read by creation time.
        Index("ix_messages_created_at", "created_at"),
    )


class Broadcast(Base):
    """One SMS to every member of a cooperative (a price post), recorded with its cause and
    written out to the outbox by a worker, batch by batch: members with ids up to
    ``after_member_id`` have their rows; ``done_at`` once all have."""

    __tablename__ = "broadcasts"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[MessageKind] = mapped_column(enum_column(MessageKind))
    #: The cause its messages carry (``price:12``): one broadcast per cause.
    cause: Mapped[str] = mapped_column(String(40), unique=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperatives.id"))
    price_post_id: Mapped[int | None] = mapped_column(ForeignKey("price_posts.id"))
    after_member_id: Mapped[int] = mapped_column(BigInteger, default=0)
    expires_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    done_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    __table_args__ = (Index("ix_broadcasts_done_at", "done_at"),)


class InboundMessage(Base):
    """An SMS a member sent us; the gateway's id makes a repeated callback a no-op."""

    __tablename__ = "inbound_messages"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    gateway_id: Mapped[str] = mapped_column(String(64), unique=True)
    phone: Mapped[str] = mapped_column(String(32))
    to: Mapped[str | None] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    link_id: Mapped[str | None] = mapped_column(String(64))
    received_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    #: Set once acted on; the relay picks up rows still null (a lost job).
    processed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    #: What the text was read as: stop, start, price, balance or help.
    action: Mapped[str | None] = mapped_column(String(16))
    reply_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("messages.id"))

    __table_args__ = (Index("ix_inbound_messages_pending", "processed_at", "id"),)


class UnmatchedReport(Base):
    """A delivery report that matched no message: tried again a few times (it may have
    overtaken the commit of its send), then kept only until the retention purge. It lives
    here, not in RQ, so a phone number never waits in a queue's failed registry."""

    __tablename__ = "unmatched_reports"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    gateway_id: Mapped[str] = mapped_column(String(64))
    status: Mapped[MessageStatus] = mapped_column(enum_column(MessageStatus))
    phone: Mapped[str | None] = mapped_column(String(32))
    reason: Mapped[str | None] = mapped_column(String(80))
    received_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    #: Times it was matched against the messages again.
    tries: Mapped[int] = mapped_column(Integer, default=0)
    #: When to try again; null once the tries are spent (kept as a trace until purged).
    next_try_at: Mapped[dt.datetime | None] = mapped_column(DateTime, index=True)
