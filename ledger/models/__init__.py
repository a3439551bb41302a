"""Tables of the books, one module per noun. Invariants that the database can hold are
constraints here. Every model is re-exported: ``from ledger.models import Member``."""

from ledger.models.base import Recorded, utcnow
from ledger.models.flags import Flag, FlagKind, FlagStatus
from ledger.models.gold import Cooperative, PricePost, Site, SiteChange, SiteStatus
from ledger.models.groups import Attendance, ChargeMethod, Cycle, Group, Holding, Meeting
from ledger.models.journal import Account, AccountKind, Entry, EntryKind, Line
from ledger.models.loans import Loan, LoanStatus
from ledger.models.lots import Lot, LotAction, LotEvent, LotInput, LotOperation, LotStatus
from ledger.models.members import EnrolmentCode, Gender, Member, MemberStatus, Role
from ledger.models.messages import (
    InboundMessage,
    Message,
    MessageKind,
    MessageStatus,
    UnmatchedReport,
)
from ledger.models.purchases import Purchase
from ledger.models.tokens import ApiRole, ApiToken, IdempotentRequest

__all__ = [
    "Account",
    "AccountKind",
    "ApiRole",
    "ApiToken",
    "Attendance",
    "ChargeMethod",
    "Cooperative",
    "Cycle",
    "EnrolmentCode",
    "Entry",
    "EntryKind",
    "Flag",
    "FlagKind",
    "FlagStatus",
    "Gender",
    "Group",
    "Holding",
    "IdempotentRequest",
    "InboundMessage",
    "Line",
    "Loan",
    "LoanStatus",
    "Lot",
    "LotAction",
    "LotEvent",
    "LotInput",
    "LotOperation",
    "LotStatus",
    "Meeting",
    "Member",
    "MemberStatus",
    "Message",
    "MessageKind",
    "MessageStatus",
    "PricePost",
    "Purchase",
    "Recorded",
    "Role",
    "Site",
    "SiteChange",
    "SiteStatus",
    "UnmatchedReport",
    "utcnow",
]
