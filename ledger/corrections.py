"""Corrections: a member's record in a meeting reversed, entry by entry, never edited.

What a member did at a meeting (shares, social fund, a fine, a repayment, a grant, a loan)
is reversed as a whole: each of its entries gets a reversing entry dated the meeting's day,
and the counters kept beside the journal (shares bought, what a loan has been paid) go back
with them. The officer then records what really happened. Who may correct which meeting
(an open one: its officer; a closed one: a coordinator only) is ``ledger.access``'s rule.

Refused, with nothing written, when the reversal would leave the books in a state that never
was: a loan already repaid in part or written off (reverse those first), a repayment followed
by a later one on the same loan, a declining-balance loan charged again since, a meeting of a
closed cycle, or a box that no longer holds the money the reversal takes out of it.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from ledger import journal
from ledger.errors import LedgerError
from ledger.loans import accrue_charges, repayment_split
from ledger.models import (
    Account,
    AccountKind,
    Attendance,
    ChargeMethod,
    Cycle,
    Entry,
    EntryKind,
    Group,
    Holding,
    Loan,
    LoanStatus,
    Meeting,
    Member,
)
from ledger.vsla import lock_group

K = AccountKind

#: What a member does at a meeting: the entries a correction reverses.
RECORD_KINDS = (
    EntryKind.SHARES,
    EntryKind.SOCIAL_FUND,
    EntryKind.FINE,
    EntryKind.REPAYMENT,
    EntryKind.SOCIAL_GRANT,
    EntryKind.LOAN,
)


def clean_reason(reason: object) -> str:
    if not isinstance(reason, str) or not reason.strip():
        raise LedgerError("required", "say why the record is reversed", "reason")
    if len(reason.strip()) > 160:
        raise LedgerError("too_long", "the reason is at most 160 characters", "reason")
    return reason.strip()


def unreversed(session: Session, query):
    """``query`` of entries, less those a reversal already undid."""
    undone = aliased(Entry)
    return query.where(
        ~select(undone.id).where(undone.reverses_id == Entry.id).exists(),
        Entry.kind != EntryKind.REVERSAL,
    )


def record_entries(session: Session, meeting: Meeting, member: Member) -> list[Entry]:
    """The member's entries at the meeting that stand (not reversed), oldest first."""
    query = select(Entry).where(Entry.meeting_id == meeting.id, Entry.member_id == member.id)
    query = unreversed(session, query).where(Entry.kind.in_(RECORD_KINDS))
    return list(session.scalars(query.order_by(Entry.id)))


def _later_on_loan(session: Session, loan: Loan, after_id: int, kinds) -> list[Entry]:
    query = select(Entry).where(
        Entry.loan_id == loan.id, Entry.id > after_id, Entry.kind.in_(kinds)
    )
    return list(session.scalars(unreversed(session, query)))


def _plan_loan(session: Session, entry: Entry, planned: set[int]) -> list[Entry]:
    """A loan given at the meeting: reversed with its charges, if nothing was paid on it
    (other than by a repayment reversed with it)."""
    loan = session.get(Loan, entry.loan_id)
    paid = _later_on_loan(session, loan, entry.id, (EntryKind.REPAYMENT, EntryKind.WRITE_OFF))
    if loan.status == LoanStatus.WRITTEN_OFF or any(e.id not in planned for e in paid):
        raise LedgerError(
            "loan_moved",
            "the loan has been repaid in part or written off since: reverse that first",
            "loan",
        )
    return _later_on_loan(session, loan, entry.id, (EntryKind.SERVICE_CHARGE,))


def _check_repayment(session: Session, entry: Entry, planned: set[int]) -> None:
    loan = session.get(Loan, entry.loan_id)
    later = [
        e
        for e in _later_on_loan(session, loan, entry.id, (EntryKind.REPAYMENT, EntryKind.WRITE_OFF))
        if e.id not in planned
    ]
    if later:
        raise LedgerError(
            "later_records",
            "the loan has a later repayment or write-off: reverse the latest first",
            "loan",
        )
    if loan.method == ChargeMethod.DECLINING and _later_on_loan(
        session, loan, entry.id, (EntryKind.SERVICE_CHARGE,)
    ):
        raise LedgerError(
            "later_records",
            "the loan has been charged on its lower balance since: this repayment stands",
            "loan",
        )


def _cash_effect(session: Session, entries: list[Entry]) -> dict[int, int]:
    """Account id -> change the reversals make to it."""
    effect: dict[int, int] = {}
    for entry in entries:
        for line in entry.lines:
            effect[line.account_id] = effect.get(line.account_id, 0) - line.amount
    return effect


def reverse_record(
    session: Session, meeting: Meeting, member: Member, reason: object
) -> list[Entry]:
    """Reverse everything ``member`` did at ``meeting``; returns the reversing entries."""
    reason = clean_reason(reason)
    group = session.get(Group, meeting.group_id)
    lock_group(session, group)
    if member.group_id != group.id:
        raise LedgerError("other_group", f"the member is not in {group.code}", "member")
    cycle = session.get(Cycle, meeting.cycle_id)
    if cycle.closed_at is not None:
        raise LedgerError("cycle_closed", "the meeting's cycle is shared out", "meeting")
    entries = record_entries(session, meeting, member)
    if not entries:
        raise LedgerError("nothing_to_reverse", f"{member.name} has no record here", "member")

    # Plan everything, check everything, then write.
    plan = list(entries)
    planned = {e.id for e in entries}
    for entry in entries:
        if entry.kind == EntryKind.LOAN:
            plan += [e for e in _plan_loan(session, entry, planned) if e.id not in planned]
            planned |= {e.id for e in plan}
    for entry in entries:
        if entry.kind == EntryKind.REPAYMENT:
            _check_repayment(session, entry, planned)
    effect = _cash_effect(session, plan)
    cash_kinds = (K.LOAN_FUND_CASH, K.SOCIAL_FUND_CASH)
    session.flush()
    for account in session.scalars(select(Account).where(Account.id.in_(list(effect)))):
        session.refresh(account)
        if account.kind in cash_kinds and account.balance + effect[account.id] < 0:
            raise LedgerError(
                "fund_short",
                "the box no longer holds what this record brought in: it has been lent or"
                " paid out since",
                "member",
                available=account.balance,
            )

    reversals = []
    reopened: set[int] = set()
    for entry in sorted(plan, key=lambda e: e.id, reverse=True):
        _undo_counters(session, group, meeting, entry, reopened)
        reversals.append(
            journal.reverse(
                session, entry, meeting.held_on, f"reverses entry {entry.id}: {reason}"[:200]
            )
        )
    if reopened:
        accrue_charges(session, group, meeting.held_on)
    session.flush()
    return reversals


def _undo_counters(
    session: Session, group: Group, meeting: Meeting, entry: Entry, reopened: set[int]
) -> None:
    """Put back what ``entry`` changed beside the journal."""
    if entry.kind == EntryKind.SHARES:
        count = sum(line.amount for line in entry.lines if line.amount > 0) // group.share_value
        attendance = session.get(Attendance, (meeting.id, entry.member_id))
        attendance.shares = Attendance.shares - count
        holding = session.get(Holding, (meeting.cycle_id, entry.member_id))
        holding.shares = Holding.shares - count
    elif entry.kind == EntryKind.REPAYMENT:
        loan = session.get(Loan, entry.loan_id)
        charge, principal = repayment_split(entry.memo)
        loan.charge_paid -= charge
        loan.principal_paid -= principal
        if loan.status == LoanStatus.REPAID:
            loan.status, loan.closed_on = LoanStatus.OPEN, None
            reopened.add(loan.id)
    elif entry.kind == EntryKind.SERVICE_CHARGE:
        loan = session.get(Loan, entry.loan_id)
        loan.charged -= sum(line.amount for line in entry.lines if line.amount > 0)
    elif entry.kind == EntryKind.LOAN:
        loan = session.get(Loan, entry.loan_id)
        loan.status, loan.closed_on = LoanStatus.REVERSED, meeting.held_on
