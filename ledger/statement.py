"""A member's statement: their position in the group, from maintained balances and indexed
rows (never a journal scan), with their loans as of a day. What the savings screen, the API's
statement and the console's passbook read."""

from __future__ import annotations

import datetime as dt
import functools

from sqlalchemy import Select, and_, bindparam, select
from sqlalchemy.orm import Session, aliased, selectinload

from ledger import journal
from ledger.errors import LedgerError
from ledger.loans import position
from ledger.models import Account, AccountKind, Cycle, Entry, Group, Holding, Loan, Member
from ledger.vsla import current_cycle, savings_of, shares_of

K = AccountKind


def member_statement(session: Session, member: Member, as_of: dt.date, recent: int = 10) -> dict:
    """A member's position from maintained balances and indexed rows: no journal scan. Loans
    are positions as of ``as_of`` (``ledger.loans.position``: charges started by then
    included, nothing written), newest first."""
    group = session.get(Group, member.group_id) if member.group_id else None
    if group is None:
        raise LedgerError("no_group", "the member is not in a savings group", "member")
    cycle = current_cycle(session, group)
    loans = list(
        session.scalars(
            select(Loan).where(Loan.member_id == member.id).order_by(Loan.id.desc()).limit(10)
        )
    )
    entries = list(
        session.scalars(
            select(Entry)
            .where(Entry.member_id == member.id)
            .order_by(Entry.id.desc())
            .limit(recent)
            .options(selectinload(Entry.lines))
        )
    )
    reversed_ids = set(
        session.scalars(
            select(Entry.reverses_id).where(Entry.reverses_id.in_([e.id for e in entries]))
        )
    )
    return {
        "member": member,
        "group": group,
        "currency": group.currency,
        "shares": shares_of(session, cycle, member),
        "savings": savings_of(session, member),
        "social_fund": -journal.balance(
            session, K.SOCIAL_CONTRIBUTIONS, group.currency, group_id=group.id, member_id=member.id
        ),
        "loans": [position(loan, as_of) for loan in loans],
        "recent": [(e, sum(line.amount for line in e.lines if line.amount > 0)) for e in entries],
        #: Ids of the recent entries a later reversal undid: shown as reversed, never hidden.
        "reversed": reversed_ids,
    }


@functools.cache
def _savings_query() -> Select:
    """Built once (building it costs more than running it): the group, the shares held in
    its open cycle and the member's two balances, for ``:member_id`` in ``:group_id``."""
    member_id, group_id = bindparam("member_id"), bindparam("group_id")
    saved, social = aliased(Account), aliased(Account)

    def own(account, kind: AccountKind):
        return and_(
            account.member_id == member_id,
            account.kind == kind,
            account.group_id == Group.id,
            account.currency == Group.currency,
            account.cooperative_id.is_(None),
        )

    open_cycle = (
        select(Cycle.id)
        .where(Cycle.group_id == Group.id, Cycle.closed_at.is_(None))
        .order_by(Cycle.number.desc())
        .limit(1)
        .correlate(Group)
        .scalar_subquery()
    )
    return (
        select(Group.name, Group.currency, Holding.shares, saved.balance, social.balance)
        .select_from(Group)
        .outerjoin(Holding, and_(Holding.cycle_id == open_cycle, Holding.member_id == member_id))
        .outerjoin(saved, own(saved, K.SAVINGS))
        .outerjoin(social, own(social, K.SOCIAL_CONTRIBUTIONS))
        .where(Group.id == group_id)
    )


def savings(session: Session, member: Member) -> dict | None:
    """The savings screen's figures (the same as ``member_statement``'s) in one query: the
    group's name and currency, shares held in its open cycle, the savings and social fund
    balances. None when the member is in no group."""
    if member.group_id is None:
        return None
    row = session.execute(
        _savings_query(), {"member_id": member.id, "group_id": member.group_id}
    ).one_or_none()
    if row is None:
        return None
    name, currency, shares, savings_balance, social_balance = row
    return {
        "group_name": name,
        "currency": currency,
        "shares": shares or 0,
        "savings": -(savings_balance or 0),
        "social_fund": -(social_balance or 0),
    }
