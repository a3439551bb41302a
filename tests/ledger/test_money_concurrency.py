"""Money under concurrency: writers of the same group or lot at the same instant, each on its
own connection, started together with a barrier. No check passes twice, no counter loses an
update, and the books balance after each race (on SQLite too, where writers queue).

Each writer first reads what it will act on and commits, as a request reads before it
writes: its session then holds those rows as they were, and the books must not trust them.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ledger import db, gold, journal, loans, meetings, shareout
from ledger.errors import LedgerError
from ledger.evidence import lots
from ledger.meetings import MeetingRecord as R
from ledger.models import (
    Account,
    AccountKind,
    Cycle,
    Entry,
    EntryKind,
    Group,
    Loan,
    Lot,
    Meeting,
    Member,
    Purchase,
    Site,
)
from tests import factories
from tests.ledger_checks import assert_books_balance

FC = 100
START = dt.date(2025, 1, 6)


@dataclass
class Writer:
    """One concurrent writer: ``read`` in a first transaction, then ``write`` in another."""

    write: Callable[[Session, object], object]
    read: Callable[[Session], object] = lambda own: None


def race(writers: list[Writer]) -> list[object]:
    """Run the writers at once; each one's result, or the exception that refused it."""
    barrier = threading.Barrier(len(writers), timeout=30)
    results: list[object] = [None] * len(writers)

    def run(index: int, writer: Writer) -> None:
        with Session(db.engine(), expire_on_commit=False) as own:
            try:
                seen = writer.read(own)
                own.commit()
                barrier.wait()
                results[index] = writer.write(own, seen)
                own.commit()
            except BaseException as exc:  # a refusal is a result; the test judges it
                own.rollback()
                results[index] = exc

    threads = [threading.Thread(target=run, args=(i, w)) for i, w in enumerate(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    return results


def refusals(results: list[object]) -> list[BaseException]:
    return [r for r in results if isinstance(r, BaseException)]


def fresh(session) -> None:
    session.rollback()
    session.expire_all()


def saving_group(session, savers: int = 2):
    """A group whose members each bought 5 shares (5,000 FC) on its first day."""
    group = factories.group(session, share_value=1000 * FC)
    people = [factories.member(session, group, name=f"Saver {i}") for i in range(savers)]
    meetings.record_meeting(session, group, START, people, [R(m, shares=5) for m in people])
    session.commit()
    return group, people


def own_copy(own: Session, group: Group, member: Member | None = None):
    """The writer's own group and member, and what it read of them: the group's loans and
    accounts, kept referenced (the session's identity map holds them only while they are)."""
    mine = own.get(Group, group.id)
    person = own.get(Member, member.id) if member is not None else None
    held = [
        *own.scalars(select(Loan).where(Loan.group_id == group.id)),
        *own.scalars(select(Account).where(Account.group_id == group.id)),
        *own.scalars(select(Cycle).where(Cycle.group_id == group.id)),
    ]
    return mine, person, held


def test_two_meetings_across_a_charge_period_book_one_charge(session):
    group, (saver, _) = saving_group(session)
    loan = loans.disburse(session, group, saver, 1000 * FC, 3, START + dt.timedelta(days=7))
    session.commit()  # the first period's charge (100 FC) is booked at disbursement
    # Both meetings fall in the loan's second 30-day period: its charge is due once.
    days = [START + dt.timedelta(days=42), START + dt.timedelta(days=49)]
    writers = [
        Writer(
            read=lambda own: own_copy(own, group, saver),
            write=lambda own, seen, day=day: meetings.record_meeting(
                own, seen[0], day, [seen[1]], []
            ),
        )
        for day in days
    ]
    assert refusals(race(writers)) == []
    fresh(session)
    loan = session.get(Loan, loan.id)
    charges = session.scalars(
        select(Entry).where(Entry.loan_id == loan.id, Entry.kind == EntryKind.SERVICE_CHARGE)
    ).all()
    assert (loan.periods_charged, loan.charged, len(charges)) == (2, 200 * FC, 2)
    receivable = journal.balance(
        session, AccountKind.LOAN_RECEIVABLE, "CDF", group_id=group.id, member_id=saver.id
    )
    assert receivable == loan.outstanding == loan.principal + loan.charged
    assert session.scalar(select(func.count()).select_from(Meeting)) == 3
    assert_books_balance(session)


def test_two_officers_record_one_meeting_at_once(session):
    group, people = saving_group(session, savers=2)
    day = START + dt.timedelta(days=7)
    writers = [
        Writer(
            read=lambda own, m=m: own_copy(own, group, m),
            write=lambda own, seen: meetings.record_meeting(
                own, seen[0], day, [seen[1]], [R(seen[1], shares=2)]
            ),
        )
        for m in people
    ]
    assert refusals(race(writers)) == []
    fresh(session)
    assert session.scalar(select(func.count()).select_from(Meeting)) == 2
    cash = journal.balance(session, AccountKind.LOAN_FUND_CASH, "CDF", group_id=group.id)
    assert cash == (5 + 5 + 2 + 2) * 1000 * FC
    assert_books_balance(session)


def _disbursements(session, people, amounts) -> list[object]:
    group = session.get(Group, people[0].group_id)
    day = START + dt.timedelta(days=7)
    writers = [
        Writer(
            read=lambda own, m=m: own_copy(own, group, m),
            write=lambda own, seen, amount=amount: loans.disburse(
                own, seen[0], seen[1], amount, 1, day
            ),
        )
        for m, amount in zip(people, amounts, strict=True)
    ]
    return race(writers)


def test_two_loans_that_together_exceed_the_cash_one_is_refused(session):
    group, people = saving_group(session, savers=2)  # 10,000 FC in the box
    results = _disbursements(session, people, [6000 * FC, 6000 * FC])
    (refused,) = refusals(results)
    assert isinstance(refused, LedgerError) and refused.code == "fund_short", refused
    fresh(session)
    cash = journal.balance(session, AccountKind.LOAN_FUND_CASH, "CDF", group_id=group.id)
    assert cash == 4000 * FC
    assert session.scalar(select(func.count()).select_from(Loan)) == 1
    assert_books_balance(session)


def test_two_loans_that_together_exceed_the_cap_one_is_refused(session):
    _, people = saving_group(session, savers=4)  # 20,000 FC in the box
    saver = people[0]  # 5,000 FC saved: may borrow up to 15,000 FC
    results = _disbursements(session, [saver, saver], [9000 * FC, 9000 * FC])
    (refused,) = refusals(results)
    assert isinstance(refused, LedgerError) and refused.code == "over_cap", refused
    fresh(session)
    owed = session.scalar(select(func.sum(Loan.principal)).where(Loan.member_id == saver.id))
    assert owed == 9000 * FC
    assert_books_balance(session)


def test_ten_purchases_into_one_lot_at_once(session):
    coop = factories.cooperative(session)
    site = factories.site(session, coop, capacity_grams=100_000)
    miner = factories.member(session, roles="member,miner", site=site, coop=coop)
    first = gold.record_purchase(
        session,
        miner=miner,
        site=site,
        weight_mg=1000,
        price_per_gram=9550,
        currency="USD",
        fineness_ppm=900_000,
    )
    session.commit()
    lot_id = first.lot_id
    weights = [1000 + 111 * i for i in range(10)]

    def read(own):
        # The lot as it was before the race, kept referenced.
        return own.get(Member, miner.id), own.get(Site, site.id), own.get(Lot, lot_id)

    writers = [
        Writer(
            read=read,
            write=lambda own, seen, mg=mg: gold.record_purchase(
                own,
                miner=seen[0],
                site=seen[1],
                weight_mg=mg,
                price_per_gram=9550,
                currency="USD",
                fineness_ppm=900_000,
            ),
        )
        for mg in weights
    ]
    assert refusals(race(writers)) == []
    fresh(session)
    lot = session.get(Lot, lot_id)
    bought = session.execute(
        select(func.count(), func.sum(Purchase.weight_mg)).where(Purchase.lot_id == lot_id)
    ).one()
    assert tuple(bought) == (11, 1000 + sum(weights))
    assert lot.mass_mg == 1000 + sum(weights)
    assert lot.fine_mg == sum(mg * 900_000 // 1_000_000 for mg in [1000, *weights])
    assert session.scalar(select(func.count()).select_from(Lot)) == 1
    assert_books_balance(session)


def test_two_share_outs_at_once_one_is_refused(session):
    group, people = saving_group(session, savers=3)
    loans.disburse(session, group, people[0], 2000 * FC, 1, START + dt.timedelta(days=7))
    loans.repay(session, group, people[0], 2200 * FC, START + dt.timedelta(days=14))
    session.commit()
    day = dt.date.today()
    writers = [
        Writer(
            read=lambda own: own_copy(own, group, people[0]),
            write=lambda own, seen: shareout.share_out(own, seen[0], day),
        )
        for _ in range(2)
    ]
    results = race(writers)
    (refused,) = refusals(results)
    assert isinstance(refused, LedgerError), repr(refused)
    assert refused.code == "before_cycle"
    fresh(session)
    cycles = session.scalars(
        select(Cycle).where(Cycle.group_id == group.id).order_by(Cycle.number)
    ).all()
    assert [(c.number, c.closed_at is not None) for c in cycles] == [(1, True), (2, False)]
    paid = session.scalar(
        select(func.count()).select_from(Entry).where(Entry.kind == EntryKind.SHARE_OUT)
    )
    assert paid == 3
    cash = journal.balance(session, AccountKind.LOAN_FUND_CASH, "CDF", group_id=group.id)
    assert cash == 0
    assert_books_balance(session)


def test_a_purchase_into_a_lot_and_its_combination_at_once(session):
    coop = factories.cooperative(session)
    site = factories.site(session, coop, capacity_grams=100_000)
    miner = factories.member(session, roles="member,miner", site=site, coop=coop)
    first = gold.record_purchase(
        session, miner=miner, site=site, weight_mg=1000, price_per_gram=9550, currency="USD"
    )
    session.commit()
    lot_id, lot_number = first.lot_id, first.lot.lot_number

    def read(own):
        return own.get(Member, miner.id), own.get(Site, site.id), own.get(Lot, lot_id)

    buy = Writer(
        read=read,
        write=lambda own, seen: gold.record_purchase(
            own,
            miner=seen[0],
            site=seen[1],
            weight_mg=2000,
            price_per_gram=9550,
            currency="USD",
            lot_number=lot_number,
        ),
    )
    combine = Writer(
        read=read,
        write=lambda own, seen: lots.combine_lots(own, seen[1].cooperative, [lot_number]),
    )
    results = race([buy, combine])
    # The purchase went in before the combination, or found the lot combined.
    assert all(isinstance(r, LedgerError) and r.code == "lot_closed" for r in refusals(results))
    fresh(session)
    source = session.get(Lot, lot_id)
    (output,) = session.scalars(select(Lot).where(Lot.id != lot_id)).all()
    bought = session.scalar(select(func.sum(Purchase.weight_mg)).where(Purchase.lot_id == lot_id))
    assert output.mass_mg == source.mass_mg == bought
    assert_books_balance(session)
