"""Any sequence of valid operations keeps the books balanced and the share-out exact."""

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from ledger import corrections, db, journal, shareout, vsla
from ledger.errors import LedgerError
from ledger.loans import accrue_charges, open_loans, repay, write_off
from ledger.meetings import MeetingRecord as R
from ledger.meetings import record_meeting
from ledger.models import AccountKind as K
from ledger.models import Meeting
from ledger.shareout import split_fund
from tests import factories, services
from tests.ledger_checks import assert_books_balance

FC = 100

member_index = st.integers(0, 3)
operation = st.one_of(
    st.tuples(st.just("shares"), member_index, st.integers(1, 5)),
    st.tuples(st.just("social"), member_index, st.integers(1, 500)),
    st.tuples(st.just("fine"), member_index, st.integers(1, 1_000)),
    st.tuples(st.just("loan"), member_index, st.integers(1, 30_000)),
    st.tuples(st.just("repay"), member_index, st.integers(1, 30_000)),
    st.tuples(st.just("grant"), member_index, st.integers(1, 2_000)),
    st.tuples(st.just("week"), st.just(0), st.integers(1, 5)),
    st.tuples(st.just("reverse"), member_index, st.just(0)),
    st.tuples(st.just("write_off"), member_index, st.just(0)),
    st.tuples(st.just("expense"), st.just(0), st.integers(1, 2_000)),
)


def _other(session, group, day, member, kind, amount):
    """The operations that are not a meeting record: a reversal of the member's record at
    the day's meeting, a write-off of her oldest loan, a group expense."""
    if kind == "reverse":
        meeting = session.scalar(
            select(Meeting).where(Meeting.group_id == group.id, Meeting.held_on == day)
        )
        if meeting is not None:
            corrections.reverse_record(session, meeting, member, "typo")
    elif kind == "write_off":
        loans = open_loans(session, member)
        if loans:
            write_off(session, loans[0], day, "gone")
    else:
        vsla.record_expense(session, group, amount * FC, day, "stationery")


def _counters_agree(session, group, people) -> None:
    """Shares held (the counters beside the journal) are what the savings accounts hold."""
    cycle = vsla.current_cycle(session, group)
    for member in people:
        shares = vsla.shares_of(session, cycle, member)
        assert shares * group.share_value == vsla.savings_of(session, member)
        owed = sum(loan.outstanding for loan in open_loans(session, member))
        receivable = journal.balance(
            session, K.LOAN_RECEIVABLE, "CDF", group_id=group.id, member_id=member.id
        )
        assert owed == receivable


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    ops=st.lists(operation, min_size=1, max_size=30),
    rate=st.sampled_from([0, 500, 1000]),
    method=st.sampled_from(["flat", "declining"]),
)
def test_any_sequence_keeps_books_balanced_and_share_out_exact(app, ops, rate, method):
    db.session.remove()  # end the previous example's transaction before emptying tables
    services.clean_tables(db.engine())
    session = db.session()
    group = factories.group(session, rate_bp=rate, method=method, share_value=500 * FC)
    people = [factories.member(session, group) for _ in range(4)]
    session.commit()
    day = dt.date(2025, 1, 6)
    for kind, who, amount in ops:
        if kind == "week":
            day += dt.timedelta(weeks=amount)
            continue
        member = people[who]
        if kind in ("reverse", "write_off", "expense"):
            try:
                with session.begin_nested():
                    _other(session, group, day, member, kind, amount)
            except LedgerError:
                pass
            continue
        record = {
            "shares": R(member, shares=amount),
            "social": R(member, social_fund=amount * FC),
            "fine": R(member, fine=amount * FC),
            "loan": R(member, loan=amount * FC),
            "repay": R(member, repayment=amount * FC),
            "grant": R(member, grant=amount * FC),
        }[kind]
        try:
            with session.begin_nested():
                record_meeting(session, group, day, [member], [record])
        except LedgerError:
            pass  # a refused operation writes nothing; the books must still balance
    session.commit()
    assert_books_balance(session)
    _counters_agree(session, group, people)

    # Settle every loan, then share out: payouts sum exactly to the loan fund.
    day += dt.timedelta(days=1)
    accrue_charges(session, group, day)
    for member in people:
        owed = sum(loan.outstanding for loan in open_loans(session, member))
        if owed:
            repay(session, group, member, owed, day)
    cash = journal.balance(session, K.LOAN_FUND_CASH, "CDF", group_id=group.id)
    social = journal.balance(session, K.SOCIAL_FUND_CASH, "CDF", group_id=group.id)
    cycle = vsla.current_cycle(session, group)
    if cash and not any(vsla.shares_of(session, cycle, m) for m in people):
        with pytest.raises(LedgerError, match="nobody bought shares"):
            shareout.share_out(session, group, day)
        return
    payouts = shareout.share_out(session, group, day)
    session.commit()
    assert sum(p.net for p in payouts) == cash
    assert journal.balance(session, K.LOAN_FUND_CASH, "CDF", group_id=group.id) == 0
    assert journal.balance(session, K.SOCIAL_FUND_CASH, "CDF", group_id=group.id) == social
    assert journal.balance(session, K.CYCLE_PROFIT, "CDF", group_id=group.id) == 0
    assert_books_balance(session)


@given(
    fund=st.integers(0, 10**12),
    shares=st.dictionaries(st.integers(1, 10_000), st.integers(1, 300), min_size=1, max_size=30),
)
def test_split_fund_is_exact_and_fair(fund, shares):
    parts = split_fund(fund, shares)
    total = sum(shares.values())
    assert sum(parts.values()) == fund
    for member_id, part in parts.items():
        exact = shares[member_id] * fund / total
        assert abs(part - exact) < 1  # nobody is more than one minor unit from their due
