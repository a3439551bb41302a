"""The savings-group year's rules: corrections, the cash count and close, fines with a
reason, leavers under both rules, the 4-week charge period, rule changes between cycles,
a mid-cycle join and the share-out preview. Every refusal writes nothing."""

import datetime as dt

import pytest
from sqlalchemy import func, select

from ledger import closing, corrections, journal, rules, shareout, vsla
from ledger.errors import LedgerError
from ledger.loans import disburse, open_loans, repay
from ledger.meetings import MeetingRecord as R
from ledger.meetings import mark_attendance, record_meeting
from ledger.models import AccountKind as K
from ledger.models import Entry, Flag, Loan, LoanStatus, MemberStatus
from ledger.statement import member_statement
from tests import factories
from tests.ledger_checks import assert_books_balance

FC = 100
START = dt.date(2025, 1, 6)


def day(n: int) -> dt.date:
    return START + dt.timedelta(weeks=n - 1)


def entries(session) -> int:
    return session.scalar(select(func.count()).select_from(Entry))


@pytest.fixture
def two(session):
    group = factories.group(session, rate_bp=1000)
    a, b = factories.member(session, group, name="Amani"), factories.member(session, group)
    record_meeting(session, group, day(1), [a, b], [R(a, shares=5), R(b, shares=5)])
    return group, a, b


def test_reversal_of_a_loan_takes_its_charge_and_the_statement_shows_it(session, two):
    group, a, _b = two
    meeting = record_meeting(
        session, group, day(2), [a], [R(a, shares=2, loan=3_000 * FC, loan_term_months=1)]
    )
    (loan,) = open_loans(session, a)
    assert loan.charged == 300 * FC
    corrections.reverse_record(session, meeting, a, "wrong member")
    assert loan.status == LoanStatus.REVERSED and open_loans(session, a) == []
    assert vsla.shares_of(session, vsla.current_cycle(session, group), a) == 5
    bal = lambda kind: journal.balance(session, kind, "CDF", group_id=group.id)  # noqa: E731
    assert bal(K.LOAN_FUND_CASH) == 10_000 * FC
    assert bal(K.SERVICE_CHARGE_INCOME) == 0
    statement = member_statement(session, a, day(2))
    reversed_lines = [e for e, _ in statement["recent"] if e.id in statement["reversed"]]
    assert {e.kind.value for e in reversed_lines} == {"shares", "loan", "service_charge"}
    with pytest.raises(LedgerError, match="no record"):
        corrections.reverse_record(session, meeting, a, "again")
    assert_books_balance(session)


def test_reversing_a_repayment_reopens_the_loan(session, two):
    group, a, _b = two
    disburse(session, group, a, 1_000 * FC, 1, day(1))
    meeting = record_meeting(session, group, day(2), [a], [R(a, repayment=1_100 * FC)])
    loan = session.scalar(select(Loan).where(Loan.member_id == a.id))
    assert loan.status == LoanStatus.REPAID
    corrections.reverse_record(session, meeting, a, "paid nothing: typo")
    assert loan.status == LoanStatus.OPEN and loan.outstanding == 1_100 * FC
    assert_books_balance(session)


def test_refused_reversals_write_nothing(session, two):
    group, a, b = two
    meeting = record_meeting(
        session, group, day(2), [a], [R(a, loan=2_000 * FC, loan_term_months=1)]
    )
    repay(session, group, a, 500 * FC, day(3))
    before = entries(session)
    with pytest.raises(LedgerError, match="repaid in part"):
        corrections.reverse_record(session, meeting, a, "typo")
    with pytest.raises(LedgerError, match="say why"):
        corrections.reverse_record(session, meeting, b, "  ")
    # B's shares were lent out since: the box no longer holds them.
    first = record_meeting(session, group, day(1), [], [])
    disburse(session, group, b, 8_000 * FC, 1, day(3))
    with pytest.raises(LedgerError, match="no longer holds"):
        corrections.reverse_record(session, first, b, "typo")
    assert entries(session) == before + 2  # B's loan and its first charge only
    assert_books_balance(session)


def test_cash_count_flags_a_difference_and_close_shuts_the_meeting(session, two):
    group, a, b = two
    meeting = record_meeting(session, group, day(1), [], [])
    with pytest.raises(LedgerError, match="count the box"):
        closing.close_meeting(session, meeting)
    count = closing.count_cash(session, meeting, 9_900 * FC, 0)
    assert count.loan_fund_difference == -100 * FC
    (flag,) = closing.group_flags(session, group)
    assert flag.details and "-10000" in flag.reason
    closing.count_cash(session, meeting, 10_000 * FC, 0)  # a recount that agrees
    assert closing.group_flags(session, group) == []
    with pytest.raises(LedgerError, match="whole number"):
        closing.count_cash(session, meeting, -1, 0)
    closing.close_meeting(session, meeting)
    before = entries(session)
    for attempt in (
        lambda: record_meeting(session, group, day(1), [a], [R(a, shares=1)]),
        lambda: closing.count_cash(session, meeting, 1, 1),
        lambda: mark_attendance(session, meeting, b, present=True),
        lambda: disburse(session, group, a, 100, 1, day(1), meeting),
    ):
        with pytest.raises(LedgerError, match="closed"):
            attempt()
    assert entries(session) == before
    # A correction still goes through (the coordinator's, by ledger.access).
    corrections.reverse_record(session, meeting, b, "she bought none")
    assert session.scalar(select(func.count()).select_from(Flag)) == 0
    assert_books_balance(session)


def test_attendance_by_representative_and_fine_reasons(session, two):
    group, a, b = two
    meeting = record_meeting(session, group, day(2), [], [])
    att = mark_attendance(session, meeting, a, present=False, represented=True)
    assert (att.present, att.represented) == (True, True)
    with pytest.raises(LedgerError, match="reason is one of"):
        record_meeting(session, group, day(2), [], [R(b, fine=100, fine_reason="rude")])


def test_leaver_rules(session, two):
    group, a, b = two
    # 10,000 FC of shares; A borrows 2,000 (charge 200), repays it all: 200 FC of profit.
    disburse(session, group, a, 2_000 * FC, 1, day(1))
    repay(session, group, a, 2_200 * FC, day(2))
    c = factories.member(session, group)
    record_meeting(session, group, day(2), [c], [R(c, shares=5)])
    # Fund 15,200 FC over 15 shares: B's 5 shares are worth 5,066.66 FC with the profit.
    payout = shareout.member_leaves(session, b, day(3), "savings_and_profit")
    assert (payout.savings, payout.net) == (5_000 * FC, 506_666)
    assert b.status == MemberStatus.INACTIVE
    payout = shareout.member_leaves(session, c, day(3))  # the group's rule: savings only
    assert payout.net == 5_000 * FC
    with pytest.raises(LedgerError, match="rule is one of"):
        shareout.member_leaves(session, a, day(3), "everything")
    payouts = shareout.share_out(session, group, day(4))
    # A alone is left: 15,200 FC less what B and C took.
    assert [p.net for p in payouts] == [1_520_000 - 506_666 - 500_000]
    assert journal.balance(session, K.CYCLE_PROFIT, "CDF", group_id=group.id) == 0
    assert_books_balance(session)


def test_a_leaver_who_owes_more_than_her_payout_is_refused(session, two):
    group, a, _b = two
    disburse(session, group, a, 5_000 * FC, 1, day(1))
    before = entries(session)
    with pytest.raises(LedgerError, match="owes more"):
        shareout.member_leaves(session, a, day(2), "savings_only")
    assert entries(session) == before and a.status == MemberStatus.ACTIVE


def test_four_week_charge_period(session):
    group = factories.group(session, rate_bp=1000, charge_period="4_weeks")
    a = factories.member(session, group)
    record_meeting(session, group, day(1), [a], [R(a, shares=5)])
    loan = disburse(session, group, a, 1_000 * FC, 2, day(1))
    assert loan.due_on == day(1) + dt.timedelta(days=56)
    record_meeting(session, group, day(5), [a], [])  # 28 days on: the second charge
    assert loan.charged == 200 * FC


def test_rules_change_between_cycles_only(session, two):
    group, _a, _b = two
    rules.update_rules(session, group, {"meeting_weekday": 3, "meeting_sms": False})
    assert group.meeting_weekday == 3
    with pytest.raises(LedgerError, match="whole cycle"):
        rules.update_rules(session, group, {"share_value": 2_000 * FC})
    with pytest.raises(LedgerError, match="one of"):
        rules.update_rules(session, group, {"charge_period": "weekly"})
    shareout.share_out(session, group, day(2))
    rules.update_rules(
        session, group, {"share_value": 2_000 * FC, "charge_period": "4_weeks", "max_shares": 3}
    )
    assert (group.share_value, group.charge_period.days) == (2_000 * FC, 28)


def test_mid_cycle_join_and_preview(session, two):
    group, a, _b = two
    newcomer = factories.member(session)
    rules.join(session, group, newcomer, day(3))
    assert newcomer.group_id == group.id and newcomer.joined_on == day(3)
    with pytest.raises(LedgerError, match="before the cycle"):
        rules.join(session, group, factories.member(session), dt.date(2024, 1, 1))
    record_meeting(session, group, day(3), [newcomer], [R(newcomer, shares=2)])
    disburse(session, group, a, 12_000 * FC, 1, day(3))  # the whole box, charge 1,200
    preview = shareout.preview(session, group, day(4))
    assert (preview.fund, preview.total_shares) == (13_200 * FC, 12)
    (borrower,) = preview.borrowers
    assert borrower.member_id == a.id and borrower.options == ("wait", "write_off")
    assert preview.blocked
    with pytest.raises(LedgerError, match="owes more"):
        shareout.share_out(session, group, day(4))
