"""Invariants of the books, checked by several tests."""

from sqlalchemy import func, select

from ledger.models import Account, Entry, Line


def assert_books_balance(session) -> None:
    """Every entry sums to zero; every maintained balance equals the sum of its lines."""
    session.flush()
    unbalanced = session.execute(
        select(Line.entry_id, func.sum(Line.amount))
        .group_by(Line.entry_id)
        .having(func.sum(Line.amount) != 0)
    ).all()
    assert unbalanced == []
    sums = dict(
        session.execute(
            select(Line.account_id, func.sum(Line.amount)).group_by(Line.account_id)
        ).all()
    )
    for account in session.scalars(select(Account)):
        session.refresh(account)
        assert account.balance == sums.get(account.id, 0), account.key
    currencies = session.execute(
        select(Entry.id)
        .join(Line)
        .join(Account, Account.id == Line.account_id)
        .where(Account.currency != Entry.currency)
    ).all()
    assert currencies == []
