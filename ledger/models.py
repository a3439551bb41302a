"""Tables of the books. Invariants that the database can hold are constraints here."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
    false,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ledger.db import Base, BigId


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _enum(cls: type[StrEnum]) -> Enum:
    return Enum(
        cls,
        native_enum=False,
        create_constraint=True,
        length=24,
        values_callable=lambda e: [m.value for m in e],
        name=cls.__name__.lower(),
    )


class Gender(StrEnum):
    F = "F"
    M = "M"


class Role(StrEnum):
    MEMBER = "member"
    MINER = "miner"
    OFFICER = "officer"
    BUYER = "buyer"
    COORDINATOR = "coordinator"


class MemberStatus(StrEnum):
    ACTIVE = "active"
    INACTIVE = "inactive"


class SiteStatus(StrEnum):
    """ICGLR mine-site status; ``not_inspected`` is ICGLR's blue."""

    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"
    NOT_INSPECTED = "not_inspected"


class ChargeMethod(StrEnum):
    FLAT = "flat"  # rate x principal every 30 days
    DECLINING = "declining"  # rate x outstanding principal every 30 days


class LoanStatus(StrEnum):
    OPEN = "open"
    OVERDUE = "overdue"
    REPAID = "repaid"
    WRITTEN_OFF = "written_off"


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
    REVERSAL = "reversal"


class Cooperative(Base):
    __tablename__ = "cooperatives"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Site(Base):
    __tablename__ = "sites"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperatives.id"), index=True)
    #: GPS in micro-degrees (exact; 0.11 m resolution).
    lat_micro: Mapped[int | None] = mapped_column(Integer)
    lon_micro: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[SiteStatus] = mapped_column(_enum(SiteStatus), default=SiteStatus.NOT_INSPECTED)
    capacity_mg_per_month: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    cooperative: Mapped[Cooperative] = relationship()

    __table_args__ = (CheckConstraint("capacity_mg_per_month >= 0", name="capacity"),)


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
        _enum(ChargeMethod), default=ChargeMethod.FLAT
    )
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


class Member(Base):
    """A person. One phone may belong to several members (a shared household phone)."""

    __tablename__ = "members"

    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str] = mapped_column(String(16), index=True)  # E.164
    name: Mapped[str] = mapped_column(String(80))
    #: Case- and space-folded name: with the phone, what a re-import matches on.
    name_key: Mapped[str] = mapped_column(String(80))
    gender: Mapped[Gender] = mapped_column(_enum(Gender))
    language: Mapped[str] = mapped_column(String(2), default="sw")
    #: Comma-separated ``Role`` values.
    roles: Mapped[str] = mapped_column(String(80), default="member")
    id_document: Mapped[str | None] = mapped_column(String(80))
    status: Mapped[MemberStatus] = mapped_column(_enum(MemberStatus), default=MemberStatus.ACTIVE)
    opted_out: Mapped[bool] = mapped_column(Boolean, default=False)
    pin_hash: Mapped[str | None] = mapped_column(String(200))
    pin_failures: Mapped[int] = mapped_column(Integer, default=0)
    pin_locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id"), index=True)
    cooperative_id: Mapped[int | None] = mapped_column(ForeignKey("cooperatives.id"), index=True)
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id"), index=True)
    joined_on: Mapped[dt.date | None] = mapped_column(Date)
    left_on: Mapped[dt.date | None] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    group: Mapped[Group | None] = relationship()
    cooperative: Mapped[Cooperative | None] = relationship()
    site: Mapped[Site | None] = relationship()

    __table_args__ = (UniqueConstraint("phone", "name_key"),)

    @property
    def role_set(self) -> set[str]:
        return {r for r in self.roles.split(",") if r}

    def has_role(self, role: str) -> bool:
        return role in self.role_set

    @property
    def first_name(self) -> str:
        return self.name.split()[0] if self.name.split() else self.name


class Meeting(Base):
    __tablename__ = "meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"))
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id"), index=True)
    held_on: Mapped[dt.date] = mapped_column(Date)
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("group_id", "held_on"),)


class Attendance(Base):
    __tablename__ = "attendance"

    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), primary_key=True)
    present: Mapped[bool] = mapped_column(Boolean)
    #: Shares bought at this meeting (at most the group's ``max_shares``).
    shares: Mapped[int] = mapped_column(Integer, default=0)


class Holding(Base):
    """Shares a member has bought in a cycle (the count; their value is in the journal)."""

    __tablename__ = "holdings"

    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id"), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), primary_key=True)
    shares: Mapped[int] = mapped_column(Integer, default=0)


class Account(Base):
    """A journal account with its maintained balance (sum of its lines, kept in step by
    ``journal.post`` in the same transaction), so balances never scan the journal."""

    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: ``kind:currency:group:member:cooperative``: one account per owner, kind and currency.
    key: Mapped[str] = mapped_column(String(80), unique=True)
    kind: Mapped[AccountKind] = mapped_column(_enum(AccountKind))
    currency: Mapped[str] = mapped_column(String(3))
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id"), index=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"), index=True)
    cooperative_id: Mapped[int | None] = mapped_column(ForeignKey("cooperatives.id"))
    balance: Mapped[int] = mapped_column(BigInteger, default=0)


class Entry(Base):
    """A balanced, immutable journal entry; corrected only by a reversing entry."""

    __tablename__ = "entries"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    kind: Mapped[EntryKind] = mapped_column(_enum(EntryKind))
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


class Loan(Base):
    __tablename__ = "loans"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"), index=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id"))
    principal: Mapped[int] = mapped_column(BigInteger)
    term_months: Mapped[int] = mapped_column(Integer)
    rate_bp: Mapped[int] = mapped_column(Integer)
    method: Mapped[ChargeMethod] = mapped_column(_enum(ChargeMethod))
    disbursed_on: Mapped[dt.date] = mapped_column(Date)
    due_on: Mapped[dt.date] = mapped_column(Date)
    #: 30-day periods charged so far (the first at disbursement).
    periods_charged: Mapped[int] = mapped_column(Integer, default=0)
    charged: Mapped[int] = mapped_column(BigInteger, default=0)
    principal_paid: Mapped[int] = mapped_column(BigInteger, default=0)
    charge_paid: Mapped[int] = mapped_column(BigInteger, default=0)
    written_off: Mapped[int] = mapped_column(BigInteger, default=0)
    status: Mapped[LoanStatus] = mapped_column(_enum(LoanStatus), default=LoanStatus.OPEN)
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
    operation: Mapped[LotOperation] = mapped_column(_enum(LotOperation))
    #: ICGLR creator role: 1 miner, 2 trader, ... 7 exporter.
    creator_role: Mapped[int] = mapped_column(Integer, default=2)
    custodian_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    mass_mg: Mapped[int] = mapped_column(BigInteger, default=0)
    #: Mass of fine gold when the fineness of every input is known.
    fine_mg: Mapped[int | None] = mapped_column(BigInteger)
    status: Mapped[LotStatus] = mapped_column(_enum(LotStatus), default=LotStatus.OPEN)
    tag: Mapped[str | None] = mapped_column(String(64), unique=True)
    #: Who issued the tag (ICGLR MD.12 tag issuer); the tag date is ``sealed_at``.
    tag_issuer: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    sealed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    shipped_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    site: Mapped[Site | None] = relationship()


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


class LotEvent(Base):
    """The custody log of a lot: what happened to it, when, and who held it afterwards."""

    __tablename__ = "lot_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lots.id"), index=True)
    action: Mapped[LotAction] = mapped_column(_enum(LotAction))
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    custodian_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    note: Mapped[str | None] = mapped_column(String(200))


class Purchase(Base):
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
    entry_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("entries.id"))

    miner: Mapped[Member] = relationship(foreign_keys=[miner_id])
    site: Mapped[Site] = relationship()
    lot: Mapped[Lot] = relationship()

    __table_args__ = (
        CheckConstraint("weight_mg > 0", name="weight"),
        CheckConstraint("total > 0", name="total"),
    )


class PricePost(Base):
    __tablename__ = "price_posts"

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperatives.id"))
    usd_per_gram: Mapped[int] = mapped_column(BigInteger)  # US cents
    cdf_per_gram: Mapped[int | None] = mapped_column(BigInteger)  # centimes
    posted_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    posted_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    cooperative: Mapped[Cooperative] = relationship()

    __table_args__ = (Index("ix_price_posts_latest", "cooperative_id", "posted_at"),)


class FlagKind(StrEnum):
    """Signals that a purchase may launder gold from elsewhere ("spot the liar")."""

    SITE_CAPACITY = "site_capacity"  # 30-day grams from a site above its estimated capacity
    MINER_OUTLIER = "miner_outlier"  # a miner far above the median miner of the site
    UNREGISTERED_SELLER = "unregistered_seller"  # no ID, not a miner, inactive, other site
    MULTI_SITE_DAY = "multi_site_day"  # one miner selling at several sites in one day
    SITE_STATUS = "site_status"  # bought from a not-inspected site (or one since made red)
    PRICE_ABOVE_POSTED = "price_above_posted"  # price per gram far above the posted price


class Flag(Base):
    """A stored signal with its reason and the numbers behind it. Flags never block a
    purchase; recomputing one updates the row found by ``key``, never adds a second."""

    __tablename__ = "flags"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[FlagKind] = mapped_column(_enum(FlagKind))
    #: What the flag is about (``site_capacity:3:2025-03-04``): one row per subject.
    key: Mapped[str] = mapped_column(String(120), unique=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperatives.id"), index=True)
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


class Message(Base):
    """The outbox: every SMS is a row first, written with the event that causes it."""

    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    phone: Mapped[str] = mapped_column(String(16))  # E.164
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"), index=True)
    kind: Mapped[MessageKind] = mapped_column(_enum(MessageKind))
    language: Mapped[str] = mapped_column(String(2))
    #: The text as it goes out: already transliterated to GSM-7 where possible.
    body: Mapped[str] = mapped_column(Text)
    encoding: Mapped[str] = mapped_column(String(8), default="GSM-7")
    segments: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[MessageStatus] = mapped_column(
        _enum(MessageStatus), default=MessageStatus.PENDING
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
    status: Mapped[MessageStatus] = mapped_column(_enum(MessageStatus))
    phone: Mapped[str | None] = mapped_column(String(32))
    reason: Mapped[str | None] = mapped_column(String(80))
    received_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    #: Times it was matched against the messages again.
    tries: Mapped[int] = mapped_column(Integer, default=0)
    #: When to try again; null once the tries are spent (kept as a trace until purged).
    next_try_at: Mapped[dt.datetime | None] = mapped_column(DateTime, index=True)


class EnrolmentCode(Base):
    """A one-time code an officer or coordinator issues so a member can choose a PIN (the
    first, or a new one after an unlock). Stored only as a keyed hash of the code and the
    member; valid until ``expires_at``, used once; issuing another voids it."""

    __tablename__ = "enrolment_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    #: HMAC-SHA256 (keyed with the server secret) of the member id and the code, hex.
    code_hash: Mapped[str] = mapped_column(String(64))
    #: Who issued it: a member over USSD, or an API token.
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    token_id: Mapped[int | None] = mapped_column(ForeignKey("api_tokens.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)
    used_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    voided_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class ApiRole(StrEnum):
    """Who holds an API token: what they may see and write."""

    COORDINATOR = "coordinator"  # everything in the deployment
    OFFICER = "officer"  # one savings group: its members, meetings, share-out, statements
    BUYER = "buyer"  # one cooperative: gold purchases and its posted prices


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    role: Mapped[ApiRole] = mapped_column(_enum(ApiRole))
    #: SHA-256 of the token; the token itself is shown once and never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id"))
    cooperative_id: Mapped[int | None] = mapped_column(ForeignKey("cooperatives.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class IdempotentRequest(Base):
    """The first answer to a POST with an ``Idempotency-Key``, replayed on retries."""

    __tablename__ = "idempotent_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_id: Mapped[int] = mapped_column(ForeignKey("api_tokens.id"))
    key: Mapped[str] = mapped_column(String(80))
    path: Mapped[str] = mapped_column(String(200))
    #: SHA-256 of method, path and body: the same key with another request is refused.
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime, default=utcnow, server_default=func.now()
    )

    __table_args__ = (UniqueConstraint("token_id", "key"),)
