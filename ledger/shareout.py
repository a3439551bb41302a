"""The end of a cycle, and of a membership: the share-out and a mid-cycle leaver's payout.

Share-out: fund = loan-fund cash + what borrowers still owe; value per share = fund / total
shares; each member gets shares x value, less what they still owe. The social fund stays.

A member who leaves mid-cycle gets back what they paid for their shares (the share price),
less what they still owe, and takes no part of the cycle's profit (service charges and fines
stay with those who finish the cycle) nor of the social fund. The VSL methodology leaves this
rule to each group's constitution; this is the conservative reading.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger import journal
from ledger.days import check_day
from ledger.errors import LedgerError
from ledger.loans import accrue_charges, open_loans
from ledger.models import AccountKind as K
from ledger.models import (
    Cycle,
    EntryKind,
    Group,
    Holding,
    Loan,
    LoanStatus,
    Member,
    MemberStatus,
)
from ledger.vsla import (
    accounts,
    check_in_group,
    current_cycle,
    lock_group,
    savings_of,
    shares_of,
    year_after,
)


def split_fund(fund: int, shares: dict[int, int]) -> dict[int, int]:
    """Split ``fund`` minor units in proportion to ``shares`` so the parts sum exactly to it.

    Each member first gets ``floor(shares x fund / total)``; the few units left over go one
    each to the members with the largest remainders, ties to the lower member id.
    """
    total = sum(shares.values())
    if total == 0:
        return {}
    parts = {mid: count * fund // total for mid, count in shares.items()}
    leftover = fund - sum(parts.values())
    order = sorted(shares, key=lambda mid: (-(shares[mid] * fund % total), mid))
    for mid in order[:leftover]:
        parts[mid] += 1
    return parts


@dataclass
class Payout:
    member_id: int
    shares: int
    savings: int
    gross: int  # shares x value per share
    loans_netted: int  # what the member still owed, taken out of the gross
    net: int  # cash handed over


def share_out(session: Session, group: Group, on: dt.date) -> list[Payout]:
    """Close the cycle: value per share = (loan-fund cash + loans outstanding) / total shares;
    each member gets shares x value less what they still owe; the social fund stays.
    A new cycle opens the next day."""
    check_day(on, "date")
    lock_group(session, group)
    cycle = current_cycle(session, group)
    if on < cycle.start_on:
        raise LedgerError("before_cycle", "the share-out is before the cycle starts", "date")
    accrue_charges(session, group, on)
    holdings = {
        h.member_id: h.shares
        for h in session.scalars(
            select(Holding).where(Holding.cycle_id == cycle.id, Holding.shares > 0)
        )
    }
    owed: dict[int, int] = {}
    for loan in session.scalars(
        select(Loan).where(
            Loan.group_id == group.id, Loan.status.in_([LoanStatus.OPEN, LoanStatus.OVERDUE])
        )
    ):
        owed[loan.member_id] = owed.get(loan.member_id, 0) + loan.outstanding
    if set(owed) - set(holdings):
        raise LedgerError(
            "unsettled",
            "a borrower without shares still owes the group:"
            " record the repayment or write the loan off first",
            "loans",
        )
    acct = accounts(session, group)
    cash = acct(K.LOAN_FUND_CASH)
    session.flush()
    session.refresh(cash)
    fund = cash.balance + sum(owed.values())
    if not holdings and fund:
        raise LedgerError(
            "no_shares", "nobody bought shares this cycle: nothing to share by", "shares"
        )
    gross = split_fund(fund, holdings)
    short = [mid for mid in holdings if gross[mid] < owed.get(mid, 0)]
    if short:
        member = session.get(Member, short[0])
        raise LedgerError(
            "unsettled",
            f"{member.name} owes more than their share-out:"
            " record the repayment or write the loan off first",
            "loans",
        )

    # Close income and losses into the cycle's profit.
    profit = acct(K.CYCLE_PROFIT)
    closing = [
        (acct(k), -journal.balance(session, k, group.currency, group_id=group.id))
        for k in (K.SERVICE_CHARGE_INCOME, K.FINE_INCOME, K.EXPENSES, K.WRITE_OFFS)
    ]
    closing_total = sum(amount for _, amount in closing)
    if any(amount for _, amount in closing):
        journal.post(
            session,
            EntryKind.CLOSE_CYCLE,
            group.currency,
            [*closing, (profit, -closing_total)],
            occurred_on=on,
            group_id=group.id,
        )

    payouts = []
    for member_id in sorted(holdings):
        member = session.get(Member, member_id)
        macct = accounts(session, group, member)
        saved = savings_of(session, member)
        netted = owed.get(member_id, 0)
        net = gross[member_id] - netted
        journal.post(
            session,
            EntryKind.SHARE_OUT,
            group.currency,
            [
                (macct(K.SAVINGS), saved),
                (profit, gross[member_id] - saved),
                (macct(K.LOAN_RECEIVABLE), -netted),
                (cash, -net),
            ],
            occurred_on=on,
            group_id=group.id,
            member_id=member_id,
            memo=f"{holdings[member_id]} shares",
        )
        for loan in open_loans(session, member):
            loan.charge_paid, loan.principal_paid = loan.charged, loan.principal
            loan.status, loan.closed_on = LoanStatus.REPAID, on
        payouts.append(Payout(member_id, holdings[member_id], saved, gross[member_id], netted, net))

    cycle.closed_at = dt.datetime.combine(on, dt.time())
    cycle.end_on = on
    start = on + dt.timedelta(days=1)
    session.add(
        Cycle(group_id=group.id, number=cycle.number + 1, start_on=start, end_on=year_after(start))
    )
    session.flush()
    return payouts


def member_leaves(session: Session, member: Member, on: dt.date) -> Payout:
    """Pay a member who leaves mid-cycle their savings less what they owe, and mark them
    inactive. Refused when they owe more than they saved (settle or write off first)."""
    check_day(on, "date")
    group = member.group
    if group is None:
        raise LedgerError("no_group", "the member is not in a savings group", "member")
    lock_group(session, group)
    check_in_group(member, group)
    cycle = current_cycle(session, group)
    if on < cycle.start_on:
        raise LedgerError("before_cycle", "the date is before the cycle starts", "date")
    accrue_charges(session, group, on)
    loans = open_loans(session, member)
    owed = sum(loan.outstanding for loan in loans)
    saved = savings_of(session, member)
    if owed > saved:
        raise LedgerError(
            "unsettled",
            f"{member.name} owes more than their savings: record the repayment first",
            "loans",
            owed=owed,
            saved=saved,
        )
    acct = accounts(session, group, member)
    cash = accounts(session, group)(K.LOAN_FUND_CASH)
    session.flush()
    session.refresh(cash)
    if saved - owed > cash.balance:
        raise LedgerError(
            "fund_short", "the loan fund does not hold that much", "savings", available=cash.balance
        )
    if saved:
        journal.post(
            session,
            EntryKind.SHARE_OUT,
            group.currency,
            [(acct(K.SAVINGS), saved), (acct(K.LOAN_RECEIVABLE), -owed), (cash, -(saved - owed))],
            occurred_on=on,
            group_id=group.id,
            member_id=member.id,
            memo="leaves the group",
        )
    for loan in loans:
        loan.charge_paid, loan.principal_paid = loan.charged, loan.principal
        loan.status, loan.closed_on = LoanStatus.REPAID, on
    shares = shares_of(session, cycle, member)
    holding = session.get(Holding, (cycle.id, member.id))
    if holding is not None:
        holding.shares = 0
    member.status, member.left_on = MemberStatus.INACTIVE, on
    session.flush()
    return Payout(member.id, shares, saved, saved, owed, saved - owed)
