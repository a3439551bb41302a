"""Tables of the books, one module per noun. Invariants that the database can hold are
constraints here. Every model is re-exported: ``from ledger.models import Member``."""

from ledger.models.base import Recorded, utcnow
from ledger.models.chain import Partner, PartnerKind, TaxPayment, TaxPlace
from ledger.models.console import ConsoleSubmission
from ledger.models.flags import DIGEST_KINDS, PURCHASE_KINDS, Flag, FlagKind, FlagStatus
from ledger.models.gold import Cooperative, PricePost, Site, SiteChange, SiteStatus
from ledger.models.groups import (
    Attendance,
    ChargeMethod,
    ChargePeriod,
    Cycle,
    Group,
    Holding,
    LeaverRule,
    Meeting,
)
from ledger.models.incidents import Incident, IncidentCategory, IncidentChannel
from ledger.models.journal import Account, AccountKind, Entry, EntryKind, Line
from ledger.models.loans import Loan, LoanStatus
from ledger.models.lots import Lot, LotAction, LotEvent, LotInput, LotOperation, LotStatus
from ledger.models.members import EnrolmentCode, Gender, Member, MemberStatus, Role
from ledger.models.messages import (
    Broadcast,
    InboundMessage,
    Message,
    MessageKind,
    MessageStatus,
    UnmatchedReport,
)
from ledger.models.payouts import Payout, PayoutState
from ledger.models.premiums import (
    LineState,
    PayoutMethod,
    Premium,
    PremiumBasis,
    PremiumLine,
    PremiumStatus,
)
from ledger.models.purchases import Purchase
from ledger.models.tokens import ApiRole, ApiToken, IdempotentRequest

__all__ = [
    "DIGEST_KINDS",
    "PURCHASE_KINDS",
    "Account",
    "AccountKind",
    "ApiRole",
    "ApiToken",
    "Attendance",
    "Broadcast",
    "ChargeMethod",
    "ChargePeriod",
    "ConsoleSubmission",
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
    "Incident",
    "IncidentCategory",
    "IncidentChannel",
    "LeaverRule",
    "Line",
    "LineState",
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
    "Partner",
    "PartnerKind",
    "Payout",
    "PayoutMethod",
    "PayoutState",
    "Premium",
    "PremiumBasis",
    "PremiumLine",
    "PremiumStatus",
    "PricePost",
    "Purchase",
    "Recorded",
    "Role",
    "Site",
    "SiteChange",
    "SiteStatus",
    "TaxPayment",
    "TaxPlace",
    "UnmatchedReport",
    "utcnow",
]
