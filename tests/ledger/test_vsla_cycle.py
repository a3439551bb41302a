"""A whole 12-meeting cycle of a 5-member group, computed by hand, against the books."""

import datetime as dt

import pytest

from ledger import journal, shareout, vsla
from ledger.errors import LedgerError
from ledger.loans import accrue_charges, disburse, open_loans, repay, write_off
from ledger.meetings import MeetingRecord as R
from ledger.meetings import record_meeting
from ledger.models import AccountKind as K
from ledger.models import LoanStatus
from tests import factories
from tests.ledger_checks import assert_books_balance

FC = 100  # minor units per franc
START = dt.date(2025, 1, 6)  # a Monday


def meeting_day(n: int) -> dt.date:
    return START + dt.timedelta(weeks=n - 1)


def test_full_cycle_by_hand(session):
    group = factories.group(session, share_value=1000 * FC, social=200 * FC, rate_bp=1000)
    a, b, c, d, e = (factories.member(session, group, name=n) for n in "ABCDE")
    weekly_shares = {a: 2, b: 3, c: 1, d: 5, e: 2}  # 13 shares = 13,000 FC a week
    everyone = [a, b, c, d, e]
    extra = {
        3: {b: {"loan": 5000 * FC, "loan_term_months": 1}},
        4: {b: {"repayment": 2000 * FC}},
        5: {d: {"loan": 20000 * FC, "loan_term_months": 1}},
        6: {c: {"fine": 500 * FC}},
        7: {b: {"repayment": 3500 * FC}},
        8: {a: {"grant": 3000 * FC}},
        10: {d: {"repayment": 12000 * FC}},
        12: {d: {"repayment": 12000 * FC}},
    }
    for n in range(1, 13):
        records = [
            R(m, shares=weekly_shares[m], social_fund=200 * FC, **extra.get(n, {}).get(m, {}))
            for m in everyone
        ]
        record_meeting(session, group, meeting_day(n), everyone, records)
        if n == 4:
            # The example: 5,000 FC at 10 % flat, 2,000 FC repaid a week later.
            (loan,) = open_loans(session, b)
            assert (loan.charged, loan.paid, loan.outstanding) == (500 * FC, 2000 * FC, 3500 * FC)
        if n == 10:
            # D's loan was due on day 30 (5 March), unpaid: rolled over with a second charge.
            (loan,) = open_loans(session, d)
            assert loan.status == LoanStatus.OVERDUE
            assert loan.charged == 4000 * FC
            assert loan.outstanding == 12000 * FC  # 24,000 owed - 12,000 paid (charges first)
        session.commit()

    assert_books_balance(session)
    bal = lambda kind, **kw: journal.balance(session, kind, "CDF", group_id=group.id, **kw)  # noqa: E731
    # 156 shares bought (24+36+12+60+24) + 4,500 FC of charges + 500 FC of fines.
    assert bal(K.LOAN_FUND_CASH) == 161_000 * FC
    assert bal(K.SERVICE_CHARGE_INCOME) == -4_500 * FC
    assert bal(K.FINE_INCOME) == -500 * FC
    assert bal(K.SOCIAL_FUND_CASH) == (12 * 5 * 200 - 3000) * FC
    assert [vsla.savings_of(session, m) for m in everyone] == [
        24_000 * FC,
        36_000 * FC,
        12_000 * FC,
        60_000 * FC,
        24_000 * FC,
    ]
    assert open_loans(session, b) == [] and open_loans(session, d) == []

    payouts = shareout.share_out(session, group, dt.date(2025, 3, 31))
    session.commit()
    # Fund 16,100,000 centimes over 156 shares; floors sum to 16,099,998 and the two
    # centimes left go to the largest remainders: D (108/156) then B (96/156).
    assert {p.member_id: p.net for p in payouts} == {
        a.id: 2_476_923,
        b.id: 3_715_385,
        c.id: 1_238_461,
        d.id: 6_192_308,
        e.id: 2_476_923,
    }
    assert sum(p.net for p in payouts) == 161_000 * FC
    assert bal(K.LOAN_FUND_CASH) == 0
    assert bal(K.CYCLE_PROFIT) == 0
    assert bal(K.SOCIAL_FUND_CASH) == 9_000 * FC  # the social fund is not shared out
    assert all(vsla.savings_of(session, m) == 0 for m in everyone)
    assert_books_balance(session)
    # A new cycle is open the next day, with no shares yet.
    cycle = vsla.current_cycle(session, group)
    assert (cycle.number, cycle.start_on) == (2, dt.date(2025, 4, 1))
    assert vsla.shares_of(session, cycle, a) == 0


def test_declining_balance_charge(session):
    group = factories.group(session, rate_bp=1000, method="declining")
    m = factories.member(session, group)
    record_meeting(session, group, START, [m], [R(m, shares=5)])
    record_meeting(
        session,
        group,
        START + dt.timedelta(days=7),
        [m],
        [R(m, shares=5, loan=10_000 * FC, loan_term_months=3)],
    )
    (loan,) = open_loans(session, m)
    assert loan.charged == 1_000 * FC  # 10 % of 10,000 at disbursement
    repay(session, group, m, 6_000 * FC, START + dt.timedelta(days=14))
    # 1,000 charge + 5,000 principal paid: 5,000 principal left; next period charges 10 % of it.
    accrue_charges(session, group, START + dt.timedelta(days=7 + 30))
    assert loan.charged == 1_500 * FC
    assert loan.outstanding == 5_500 * FC
    assert_books_balance(session)


def test_share_out_nets_outstanding_loans(session):
    group = factories.group(session, rate_bp=1000)
    a, b = factories.member(session, group), factories.member(session, group)
    record_meeting(session, group, START, [a, b], [R(a, shares=5), R(b, shares=5)])
    record_meeting(
        session,
        group,
        START + dt.timedelta(days=7),
        [a, b],
        [R(a, shares=5, loan=4_000 * FC, loan_term_months=1), R(b, shares=5)],
    )
    payouts = {
        p.member_id: p for p in shareout.share_out(session, group, START + dt.timedelta(days=14))
    }
    # Fund = cash 16,000 + owed 4,400 = 20,400 over 20 shares: 1,020 FC a share.
    assert payouts[a.id].gross == 10_200 * FC and payouts[a.id].loans_netted == 4_400 * FC
    assert payouts[a.id].net == 5_800 * FC and payouts[b.id].net == 10_200 * FC
    assert (
        journal.balance(session, K.LOAN_RECEIVABLE, "CDF", group_id=group.id, member_id=a.id) == 0
    )
    assert_books_balance(session)


def test_write_off_is_a_loss_shared_by_all(session):
    group = factories.group(session, rate_bp=0)
    a, b = factories.member(session, group), factories.member(session, group)
    record_meeting(session, group, START, [a, b], [R(a, shares=5), R(b, shares=5)])
    loan = disburse(session, group, a, 3_000 * FC, 1, START)
    write_off(session, loan, START + dt.timedelta(days=60))
    payouts = shareout.share_out(session, group, START + dt.timedelta(days=61))
    assert sum(p.net for p in payouts) == 7_000 * FC
    assert {p.net for p in payouts} == {3_500 * FC}
    assert_books_balance(session)


def test_a_member_who_leaves_mid_cycle_gets_savings_less_debt_and_no_profit(session):
    group = factories.group(session, rate_bp=1000)
    stays, leaves = factories.member(session, group), factories.member(session, group)
    record_meeting(
        session, group, START, [stays, leaves], [R(stays, shares=5), R(leaves, shares=5)]
    )
    day2 = START + dt.timedelta(days=7)
    record_meeting(
        session,
        group,
        day2,
        [stays, leaves],
        [
            R(stays, shares=5, fine=500 * FC),
            R(leaves, shares=3, loan=2_000 * FC, loan_term_months=1),
        ],
    )
    # leaves saved 8,000 FC and owes 2,200 FC (charge at disbursement): 5,800 FC paid out.
    payout = shareout.member_leaves(session, leaves, day2 + dt.timedelta(days=1))
    assert (payout.savings, payout.loans_netted, payout.net) == (8_000 * FC, 2_200 * FC, 5_800 * FC)
    assert leaves.status.value == "inactive" and leaves.left_on == day2 + dt.timedelta(days=1)
    assert open_loans(session, leaves) == []
    assert vsla.savings_of(session, leaves) == 0
    # The fine and the charge stay with the member who finishes the cycle.
    payouts = shareout.share_out(session, group, day2 + dt.timedelta(days=2))
    assert [(p.member_id, p.net) for p in payouts] == [(stays.id, (10_000 + 500 + 200) * FC)]
    assert_books_balance(session)


def test_a_leaver_who_owes_more_than_saved_is_refused(session):
    group = factories.group(session, rate_bp=1000)
    a, b = factories.member(session, group), factories.member(session, group)
    record_meeting(session, group, START, [a, b], [R(a, shares=1), R(b, shares=5)])
    disburse(session, group, a, 3_000 * FC, 1, START)
    with pytest.raises(LedgerError) as caught:
        shareout.member_leaves(session, a, START + dt.timedelta(days=1))
    assert caught.value.code == "unsettled"


def test_year_with_corrections_leavers_and_a_write_off_by_hand(session):
    """The same five members (A 2, B 3, C 1, D 5, E 2 shares a week at 1,000 FC; 200 FC of
    social fund each; 10 % flat a 30-day period), 12 Mondays from 6 January 2025, with:

    - meeting 2: C fined 500 FC for lateness;
    - meeting 3: B typed 5 shares instead of 3: her record is reversed and re-recorded;
      E borrows 4,000 FC for a month (charge 400 at once; periods start 20 Jan, 19 Feb,
      21 Mar; due 19 Feb, unpaid, so the 24 Feb meeting books the second 400);
    - meeting 4: A gets a 2,000 FC grant from the social fund;
    - after meeting 5 (3 Feb) C leaves, ``savings_only``: 5 shares -> 5,000 FC;
    - after meeting 9 (3 Mar) A leaves, ``savings_and_profit``. Shares bought so far:
      13 a week x 5 + 12 a week x 4 = 113 (113,000 FC). Loan-fund cash = 113,000 + 500 fine
      - 4,000 loan - 5,000 to C = 104,500 FC; E owes 4,800; fund 109,300 FC over the 108
      shares held (A 18, B 27, D 45, E 18): A gets floor(18 x 10,930,000 / 108) =
      1,821,666 centimes (her 18,000 FC and 216.66 FC of profit). Cash left 8,628,334;
    - after meeting 10 (10 Mar) E's loan is written off: 4,800 FC (4,000 + two charges);
    - meetings 10-12: B, D, E buy 10 shares a week: cash 8,628,334 + 3,000,000 =
      11,628,334 centimes; the box is counted 100 FC short at meeting 12 (a flag).

    Share-out on 31 March over B 36, D 60, E 24 = 120 shares: B 3,488,500.2, D 5,814,167,
    E 2,325,666.8: floors sum to 11,628,333, the centime left goes to E (largest
    remainder). Value per share 969.03 FC: the write-off (4,800) outweighs the charges (800)
    and the fine (500), and A took 216.66 of profit. Social fund: 25 + 16 + 9 = 50
    contributions of 200 = 10,000 FC less the 2,000 grant = 8,000 FC, not shared out.
    """
    from sqlalchemy import select

    from ledger import closing, corrections
    from ledger.models import Entry, EntryKind, Flag, FlagKind

    group = factories.group(session, share_value=1000 * FC, social=200 * FC, rate_bp=1000)
    a, b, c, d, e = (factories.member(session, group, name=n) for n in "ABCDE")
    weekly = {a: 2, b: 3, c: 1, d: 5, e: 2}
    extra = {
        2: {c: {"fine": 500 * FC, "fine_reason": "late"}},
        3: {b: {"shares": 5}, e: {"loan": 4000 * FC, "loan_term_months": 1}},
        4: {a: {"grant": 2000 * FC}},
    }
    active = [a, b, c, d, e]
    for n in range(1, 13):
        records = []
        for m in active:
            rec = {"shares": weekly[m], "social_fund": 200 * FC, **extra.get(n, {}).get(m, {})}
            records.append(R(m, **rec))
        meeting = record_meeting(session, group, meeting_day(n), active, records)
        if n == 3:
            reversals = corrections.reverse_record(session, meeting, b, "typo: 3 shares, not 5")
            assert len(reversals) == 2  # her shares and her social fund
            record_meeting(
                session, group, meeting_day(n), [b], [R(b, shares=3, social_fund=200 * FC)]
            )
        if n == 5:
            assert shareout.member_leaves(session, c, meeting_day(5), "savings_only").net == (
                5_000 * FC
            )
            active.remove(c)
        if n == 9:
            payout = shareout.member_leaves(session, a, meeting_day(9), "savings_and_profit")
            assert (payout.shares, payout.savings, payout.net) == (18, 18_000 * FC, 1_821_666)
            active.remove(a)
        if n == 10:
            (loan,) = open_loans(session, e)
            assert loan.outstanding == 4_800 * FC
            write_off(session, loan, meeting_day(10), "the group gives up: E moved to Bunia")
        if n == 12:
            count = closing.count_cash(session, meeting, 11_628_334 - 100 * FC, 8_000 * FC)
            assert (count.loan_fund_books, count.loan_fund_difference) == (11_628_334, -100 * FC)
            assert count.social_fund_difference == 0
            closing.close_meeting(session, meeting)
        session.commit()

    bal = lambda kind, **kw: journal.balance(session, kind, "CDF", group_id=group.id, **kw)  # noqa: E731
    assert bal(K.LOAN_FUND_CASH) == 11_628_334
    assert bal(K.SOCIAL_FUND_CASH) == 8_000 * FC
    assert bal(K.FINE_INCOME) == -500 * FC and bal(K.SERVICE_CHARGE_INCOME) == -800 * FC
    assert bal(K.WRITE_OFFS) == 4_800 * FC
    (flag,) = session.scalars(select(Flag).where(Flag.group_id == group.id))
    assert flag.kind == FlagKind.CASH_COUNT_DIFFERENCE
    fine = session.scalar(select(Entry).where(Entry.kind == EntryKind.FINE))
    assert fine.memo == "late"
    with pytest.raises(LedgerError, match="closed"):
        record_meeting(session, group, meeting_day(12), [b], [R(b, shares=1)])
    session.rollback()

    payouts = shareout.share_out(session, group, dt.date(2025, 3, 31))
    session.commit()
    assert {p.member_id: p.net for p in payouts} == {
        b.id: 3_488_500,
        d.id: 5_814_167,
        e.id: 2_325_667,
    }
    assert bal(K.LOAN_FUND_CASH) == 0 and bal(K.CYCLE_PROFIT) == 0
    assert bal(K.SOCIAL_FUND_CASH) == 8_000 * FC
    assert_books_balance(session)
