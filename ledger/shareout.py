"""The end of a cycle, and of a membership: the share-out and a mid-cycle leaver's payout.

Share-out: fund = loan-fund cash + what borrowers still owe; value per share = fund / total
shares; each member gets shares x value, less what they still owe. The social fund stays.

A member who leaves mid-cycle is paid by the group's rule (``Group.leaver_rule``, which
the methodology leaves to each constitution), less what she still owes, and never any of the
social fund:

- ``savings_only`` (the conservative reading): what she paid for her shares, the share
  price; the cycle's profit (charges and fines) stays with those who finish the cycle;
- ``savings_and_profit``: her shares' value today, as a share-out would value them:
  floor(shares x (loan-fund cash + loans outstanding) / all shares). A loss to date (a
  write-off, expenses) lowers it alike. Those who stay keep the same value per share.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger import events, journal
from ledger.days import check_day
from ledger.errors import LedgerError
from ledger.loans import accrue_charges, open_loans, position
from ledger.models import AccountKind as K
from ledger.models import (
    Cycle,
    EntryKind,
    Group,
    Holding,
    LeaverRule,
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


@dataclass
class Borrower:
    """A borrower who still owes at the share-out, and what the group can do about it."""

    member_id: int
    owed: int
    gross: int  # her share-out before netting
    #: ``wait`` (she repays first), ``net`` (taken out of her payout: only when it covers
    #: what she owes), ``write_off`` (the group bears it).
    options: tuple[str, ...]


@dataclass
class Preview:
    """A share-out worked out on a day without writing anything."""

    on: dt.date
    cycle_number: int
    fund: int
    total_shares: int
    payouts: list[Payout]
    borrowers: list[Borrower]

    @property
    def blocked(self) -> bool:
        return any("net" not in b.options for b in self.borrowers)


@dataclass
class SharedOut:
    """What ``share_out`` did: the event's subject."""

    group: Group
    cycle_number: int
    on: dt.date
    payouts: list[Payout]


def _holdings(session: Session, cycle: Cycle) -> dict[int, int]:
    return {
        h.member_id: h.shares
        for h in session.scalars(
            select(Holding).where(Holding.cycle_id == cycle.id, Holding.shares > 0)
        )
    }


def _owed(session: Session, group: Group, on: dt.date) -> dict[int, int]:
    """Member id -> what her open loans owe on ``on`` (charges started by then included)."""
    owed: dict[int, int] = {}
    for loan in session.scalars(
        select(Loan).where(
            Loan.group_id == group.id, Loan.status.in_([LoanStatus.OPEN, LoanStatus.OVERDUE])
        )
    ):
        owed[loan.member_id] = owed.get(loan.member_id, 0) + position(loan, on).outstanding
    return owed


def preview(session: Session, group: Group, on: dt.date) -> Preview:
    """The share-out as it would be on ``on``: fund, each payout, who still owes. Nothing is
    written; ``share_out`` refuses while a borrower's payout does not cover what she owes."""
    check_day(on, "date")
    cycle = current_cycle(session, group)
    holdings = _holdings(session, cycle)
    owed = _owed(session, group, on)
    fund = journal.balance(session, K.LOAN_FUND_CASH, group.currency, group_id=group.id) + sum(
        owed.values()
    )
    gross = split_fund(fund, holdings)
    payouts = [
        Payout(
            mid,
            holdings[mid],
            savings_of(session, session.get(Member, mid)),
            gross[mid],
            owed.get(mid, 0),
            gross[mid] - owed.get(mid, 0),
        )
        for mid in sorted(holdings)
    ]
    borrowers = [
        Borrower(
            mid,
            amount,
            gross.get(mid, 0),
            ("wait", "net", "write_off") if gross.get(mid, 0) >= amount else ("wait", "write_off"),
        )
        for mid, amount in sorted(owed.items())
        if amount
    ]
    return Preview(on, cycle.number, fund, sum(holdings.values()), payouts, borrowers)


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
    holdings = _holdings(session, cycle)
    owed = _owed(session, group, on)
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
    events.emit(events.SHARED_OUT, session, SharedOut(group, cycle.number, on, payouts))
    return payouts


def leaver_rule(value: object) -> LeaverRule:
    try:
        return LeaverRule(value)
    except ValueError:
        raise LedgerError(
            "bad_rule",
            f"rule is one of {', '.join(r.value for r in LeaverRule)}",
            "rule",
        ) from None


def member_leaves(
    session: Session, member: Member, on: dt.date, rule: LeaverRule | str | None = None
) -> Payout:
    """Pay a member who leaves mid-cycle by ``rule`` (the group's by default) less what she
    owes, and mark her inactive. Refused when she owes more than her payout (settle or
    write off first) or the loan fund cannot pay it."""
    check_day(on, "date")
    group = member.group
    if group is None:
        raise LedgerError("no_group", "the member is not in a savings group", "member")
    lock_group(session, group)
    check_in_group(member, group)
    cycle = current_cycle(session, group)
    if on < cycle.start_on:
        raise LedgerError("before_cycle", "the date is before the cycle starts", "date")
    rule = leaver_rule(group.leaver_rule if rule is None else rule)
    accrue_charges(session, group, on)
    loans = open_loans(session, member)
    owed = sum(loan.outstanding for loan in loans)
    saved = savings_of(session, member)
    acct = accounts(session, group, member)
    cash = accounts(session, group)(K.LOAN_FUND_CASH)
    session.flush()
    session.refresh(cash)
    shares = shares_of(session, cycle, member)
    gross = saved
    if rule == LeaverRule.SAVINGS_AND_PROFIT:
        holdings = _holdings(session, cycle)
        fund = cash.balance + sum(_owed(session, group, on).values())
        total = sum(holdings.values())
        gross = shares * fund // total if total else 0
    if owed > gross:
        raise LedgerError(
            "unsettled",
            f"{member.name} owes more than her payout: record the repayment first",
            "loans",
            owed=owed,
            payout=gross,
        )
    if gross - owed > cash.balance:
        raise LedgerError(
            "fund_short", "the loan fund does not hold that much", "savings", available=cash.balance
        )
    if saved or gross or owed:
        journal.post(
            session,
            EntryKind.SHARE_OUT,
            group.currency,
            [
                (acct(K.SAVINGS), saved),
                (accounts(session, group)(K.CYCLE_PROFIT), gross - saved),
                (acct(K.LOAN_RECEIVABLE), -owed),
                (cash, -(gross - owed)),
            ],
            occurred_on=on,
            group_id=group.id,
            member_id=member.id,
            memo=f"leaves the group ({rule.value})",
        )
    for loan in loans:
        loan.charge_paid, loan.principal_paid = loan.charged, loan.principal
        loan.status, loan.closed_on = LoanStatus.REPAID, on
    holding = session.get(Holding, (cycle.id, member.id))
    if holding is not None:
        holding.shares = 0
    member.status, member.left_on = MemberStatus.INACTIVE, on
    session.flush()
    payout = Payout(member.id, shares, saved, gross, owed, gross - owed)
    events.emit(events.MEMBER_LEFT, session, payout)
    return payout
