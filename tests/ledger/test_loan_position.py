"""A loan as of a day: the charges that day has started are counted without being written,
and are exactly what the next meeting books, so every channel shows one figure."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from ledger import loans
from ledger.meetings import MeetingRecord as R
from ledger.meetings import record_meeting
from ledger.models import ChargeMethod, Entry, LoanStatus
from ledger.statement import member_statement
from tests import factories

START = dt.date(2025, 1, 6)


def borrower(session, method=ChargeMethod.FLAT):
    group = factories.group(session, share_value=1000_00, rate_bp=1000, method=method)
    saver, other = factories.member(session, group), factories.member(session, group)
    record_meeting(session, group, START, [saver, other], [R(saver, shares=5), R(other, shares=5)])
    loan = loans.disburse(session, group, saver, 6000_00, 2, START)  # due after 60 days
    session.commit()
    return group, saver, loan


@pytest.mark.parametrize("method", list(ChargeMethod))
@pytest.mark.parametrize("days", [0, 29, 30, 59, 60, 61, 95])
def test_position_is_what_the_next_meeting_books(session, method, days):
    group, saver, loan = borrower(session, method)
    if method == ChargeMethod.DECLINING:
        loans.repay(session, group, saver, 2600_00, START + dt.timedelta(days=7))
        session.commit()
    day = START + dt.timedelta(days=days)
    entries_before = session.scalar(select(func.count()).select_from(Entry))
    (seen,) = loans.loans_as_of(session, saver, day)
    # Reading wrote nothing.
    assert session.scalar(select(func.count()).select_from(Entry)) == entries_before
    assert not session.dirty and not session.new

    loans.accrue_charges(session, group, day)
    session.flush()
    assert (seen.charged, seen.outstanding, seen.paid) == (
        loan.charged,
        loan.outstanding,
        loan.paid,
    )
    assert seen.overdue == (loan.status == LoanStatus.OVERDUE) == (day > loan.due_on)


def test_a_new_period_counts_before_any_meeting_books_it(session):
    _group, saver, loan = borrower(session)
    assert loan.charged == 600_00  # the first period, booked at disbursement
    (seen,) = loans.loans_as_of(session, saver, START + dt.timedelta(days=30))
    assert seen.charged == 1200_00 and seen.outstanding == 6000_00 + 1200_00
    assert loan.charged == 600_00  # still not booked


def test_statement_and_positions_agree(session):
    _group, saver, loan = borrower(session)
    day = START + dt.timedelta(days=75)
    statement = member_statement(session, saver, day)
    (listed,) = statement["loans"]
    assert listed == loans.position(loan, day)
    assert listed.overdue and listed.charged == 1800_00


def test_closed_loans_have_no_pending_charges(session):
    group, saver, loan = borrower(session)
    loans.repay(session, group, saver, 6600_00, START + dt.timedelta(days=10))
    session.commit()
    assert loan.status == LoanStatus.REPAID
    late = loans.position(loan, START + dt.timedelta(days=200))
    assert late.outstanding == 0 and late.charged == 600_00 and not late.overdue
    assert loans.loans_as_of(session, saver, START + dt.timedelta(days=200)) == []


def test_owed_by_day_counts_charges_started_by_then(session):
    group, saver, _loan = borrower(session)
    assert loans.owed_by_day(session, group, START + dt.timedelta(days=59)) == {}
    due = loans.owed_by_day(session, group, START + dt.timedelta(days=61))
    assert due == {saver.id: 6000_00 + 3 * 600_00}
