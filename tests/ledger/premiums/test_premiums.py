"""Premium plans over lots or a period, approval into the books, carry-over and cash codes."""

import datetime as dt

import pytest
from sqlalchemy import select

from ledger import journal, payouts
from ledger.authors import Author
from ledger.errors import LedgerError
from ledger.evidence.lots import combine_lots
from ledger.models import AccountKind, LineState, Payout, PayoutState, PremiumStatus
from ledger.premiums.approve import approve
from ledger.premiums.plan import plan_premium
from tests import factories
from tests.ledger.premiums.builders import buy, world
from tests.ledger_checks import assert_books_balance

DAY = dt.date(2025, 4, 1)
ALICE, BOB = Author("token", 1), Author("token", 2)


def _plan(session, coop, lots, amount=100_00, **kw):
    return plan_premium(
        session, cooperative=coop, amount=amount, currency="USD", basis="fine_grams",
        lots=lots, **kw,
    )  # fmt: skip


def _approve(session, premium, who=BOB):
    return approve(session, premium, approver=who, on=DAY)


def test_plan_over_a_combined_lot_reaches_every_purchase_beneath_it(session):
    coop, site, (a, b, c) = world(session)
    p1 = buy(session, a, site, "10", "0.900")
    buy(session, b, site, "30", "0.700")
    buy(session, c, site, "20", None)  # fineness unknown: counted at the average, 0.75
    export = combine_lots(session, coop, [p1.lot.lot_number])
    premium = _plan(session, coop, [export.lot_number], amount=1000_01, community_share="0.10")
    assert premium.community_amount == 100_00  # 10% of 1000.01, rounded down
    shares = {line.member_id: line.share for line in premium.lines}
    assert sum(shares.values()) == 1000_01 - 100_00
    # fine gold: 9 g, 21 g, 15 g (20 g at the average 0.75) of 45 g
    assert shares == {a.id: 180_00, b.id: 420_01, c.id: 300_00}
    line_c = next(line for line in premium.lines if line.member_id == c.id)
    assert line_c.unknown_fineness_mg == 20_000 and line_c.counted_mg == 15_000
    assert {line.lots for line in premium.lines} == {p1.lot.lot_number}
    assert premium.status == PremiumStatus.PLANNED
    assert (
        journal.balance(session, AccountKind.PREMIUM_RECEIVED, "USD", cooperative_id=coop.id) == 0
    )


def test_plan_over_a_period_takes_local_days(session):
    coop, site, (a, b, _) = world(session)
    buy(session, a, site, "10", at=dt.datetime(2025, 3, 9, 22, 30))  # 00:30 on the 10th, local
    buy(session, b, site, "10", at=dt.datetime(2025, 3, 9, 21, 30))  # 23:30 on the 9th, local
    premium = plan_premium(
        session, cooperative=coop, amount=5_00, currency="USD", basis="grams",
        period=(dt.date(2025, 3, 10), dt.date(2025, 3, 10)),
    )  # fmt: skip
    assert [(line.member_id, line.share) for line in premium.lines] == [(a.id, 5_00)]


def test_bad_plans_are_refused_and_write_nothing(session):
    coop, site, (a, *_) = world(session)
    buy(session, a, site, "10")
    other = factories.cooperative(session, "OTHER", "Other")
    other_site = factories.site(session, other, "OSITE")
    foreign = buy(session, factories.member(session, site=other_site, coop=other), other_site, "5")
    for kwargs, code in [
        ({"lots": [foreign.lot.lot_number]}, "unknown_lot"),  # another cooperative's: unknown
        ({"lots": ["NOPE"]}, "unknown_lot"),
        ({"lots": []}, "required"),
        ({"period": (dt.date(2024, 1, 1), dt.date(2024, 1, 2))}, "no_sales"),
        ({"period": (dt.date(2025, 3, 2), dt.date(2025, 3, 1))}, "bad_period"),
        ({"lots": [foreign.lot.lot_number], "community_share": "0.9"}, "out_of_range"),
    ]:
        with pytest.raises(LedgerError) as err:
            plan_premium(
                session, cooperative=coop, amount=1_00, currency="USD", basis="grams", **kwargs
            )
        assert err.value.code == code


def test_approval_posts_payables_balanced_by_the_premium_received(session):
    coop, site, (a, b, _) = world(session)
    purchase = buy(session, a, site, "10")
    buy(session, b, site, "30")
    premium = _plan(session, coop, [purchase.lot.lot_number], amount=40_00, community_share="0.25")
    approved = _approve(session, premium)
    assert premium.status == PremiumStatus.APPROVED and premium.approved_by == BOB.tag
    owed = {
        m.id: -journal.balance(session, AccountKind.PREMIUM_PAYABLE, "USD", member_id=m.id)
        for m in (a, b)
    }
    assert owed == {a.id: 7_50, b.id: 22_50}
    assert (
        journal.balance(session, AccountKind.PREMIUM_RECEIVED, "USD", cooperative_id=coop.id)
        == 40_00
    )
    assert (
        journal.balance(session, AccountKind.COMMUNITY_PAYABLE, "USD", cooperative_id=coop.id)
        == -10_00
    )
    assert len(approved.codes) == 2  # cash: one code per miner
    assert_books_balance(session)
    with pytest.raises(LedgerError) as err:
        _approve(session, premium)
    assert err.value.code == "already_approved"


def test_with_two_coordinators_the_creator_may_not_approve_alone(session):
    coop, site, (a, *_) = world(session)
    factories.member(session, coop=coop, roles="coordinator")
    purchase = buy(session, a, site, "10")
    premium = _plan(session, coop, [purchase.lot.lot_number])
    premium.recorded_by = ALICE.tag
    _approve(session, premium, ALICE)  # one coordinator: she may
    second = _plan(session, coop, [purchase.lot.lot_number])
    second.recorded_by = ALICE.tag
    factories.member(session, coop=coop, roles="member,coordinator")
    for who in (ALICE, None):
        with pytest.raises(LedgerError) as err:
            _approve(session, second, who)
        assert err.value.code == "second_approver"
    _approve(session, second, BOB)
    assert second.status == PremiumStatus.APPROVED


def test_a_premium_under_the_minimum_is_carried_to_her_next_one(session):
    coop, site, (a, b, _) = world(session)
    lot = buy(session, a, site, "1").lot.lot_number
    buy(session, b, site, "99")
    first = _plan(session, coop, [lot], amount=40_00)  # a: 0.40 $, b: 39.60 $
    _approve(session, first)
    line_a = next(line for line in first.lines if line.member_id == a.id)
    assert line_a.state == LineState.CARRIED and line_a.share == 40
    assert session.scalar(select(Payout).where(Payout.member_id == a.id)) is None
    assert -journal.balance(session, AccountKind.PREMIUM_PAYABLE, "USD", member_id=a.id) == 40
    second = _plan(session, coop, [lot], amount=20_00)  # a: 0.20 $ more = 0.60 $
    _approve(session, second)
    new_a = next(line for line in second.lines if line.member_id == a.id)
    assert (new_a.share, new_a.carried_in, new_a.state) == (20, 40, LineState.PAYABLE)
    session.refresh(line_a)
    assert line_a.state == LineState.ABSORBED and line_a.carried_into_id == new_a.id
    payout = session.scalar(select(Payout).where(Payout.member_id == a.id))
    assert payout.amount == 60 and payout.state == PayoutState.PENDING
    assert_books_balance(session)


def test_cash_codes_are_single_use_and_only_the_miners_own(session):
    coop, site, (a, b, _) = world(session)
    lot = buy(session, a, site, "10").lot.lot_number
    buy(session, b, site, "10")
    approved = _approve(session, _plan(session, coop, [lot], amount=10_00))
    code = {line.member_id: approved.codes[line.id] for line in approved.premium.lines}
    buyer = Author("ussd", 99)
    redeem = lambda m, c: payouts.redeem_cash(  # noqa: E731
        session, member=m, cooperative_id=coop.id, code=c, by=buyer
    )
    wrong = f"{(int(code[a.id]) + 1) % 1_000_000:06d}"
    for bad in (wrong, code[b.id]):  # wrong, another miner's: refused and counted
        assert redeem(a, bad) is None
    for malformed in ("12345", "abcdef", 123456):
        with pytest.raises(LedgerError) as err:
            redeem(a, malformed)
        assert err.value.code == "bad_code"
    paid = redeem(a, code[a.id])
    assert paid.state == PayoutState.PAID and paid.paid_by == "ussd:99" and paid.code_hash is None
    assert paid.attempts == 2
    assert redeem(a, code[a.id]) is None  # used
    assert journal.balance(session, AccountKind.PREMIUM_PAYABLE, "USD", member_id=a.id) == 0
    line_a = next(line for line in approved.premium.lines if line.member_id == a.id)
    session.refresh(line_a)
    assert line_a.state == LineState.PAID
    assert_books_balance(session)


def test_too_many_wrong_codes_block_the_cash_payout(session):
    coop, site, (a, *_) = world(session)
    lot = buy(session, a, site, "10").lot.lot_number
    approved = _approve(session, _plan(session, coop, [lot], amount=10_00))
    right = next(iter(approved.codes.values()))
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    redeem = lambda c: payouts.redeem_cash(  # noqa: E731
        session, member=a, cooperative_id=coop.id, code=c, by=None
    )
    for _ in range(payouts.CASH_CODE_TRIES):
        assert redeem(wrong) is None
    assert redeem(right) is None  # blocked: a coordinator looks into it
