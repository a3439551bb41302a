"""Bad input: each a clear LedgerError, and nothing written."""

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from ledger import gold, journal, members
from ledger.db import Base
from ledger.errors import LedgerError
from ledger.loans import disburse, repay
from ledger.meetings import MeetingRecord as R
from ledger.meetings import record_meeting
from ledger.models import EntryKind, SiteStatus
from ledger.money import to_minor
from tests import factories

FC = 100
DAY = dt.date(2025, 1, 6)


def row_counts(session) -> dict[str, int]:
    return {
        t.name: session.scalar(select(func.count()).select_from(t))
        for t in Base.metadata.sorted_tables
    }


@pytest.fixture
def grp(session):
    group = factories.group(session, share_value=1000 * FC)
    saver = factories.member(session, group, name="Saver")
    record_meeting(session, group, DAY, [saver], [R(saver, shares=5)])  # 5,000 FC saved
    session.commit()
    return group, saver


def refused(session, code: str, action) -> LedgerError:
    before = row_counts(session)
    with pytest.raises(LedgerError) as caught:
        action()
    session.rollback()
    assert caught.value.code == code, caught.value.message
    assert caught.value.message  # a sentence a person can read
    assert row_counts(session) == before
    return caught.value


@pytest.mark.parametrize(
    "phone", ["", "12", "+243 12", "0812345", "hello", "+1555", "9" * 40, None]
)
def test_invalid_phone(session, phone):
    err = refused(
        session,
        "bad_phone",
        lambda: members.save_member(session, phone=phone, name="Amani", gender="F"),
    )
    assert err.field == "phone"


def test_local_numbers_are_read_as_congolese(session):
    member, _ = members.save_member(session, phone="0812345678", name="Amani", gender="F")
    assert member.phone == "+243812345678"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (0, "not_positive"),
        (-5, "not_positive"),
        ("-1", "not_positive"),
        (10**15, "too_large"),
        ("1e30", "too_large"),
        (1.5, "bad_number"),
        (True, "bad_number"),
        ("12.345", "too_precise"),
        ("abc", "bad_number"),
        ("NaN", "bad_number"),
        (None, "bad_number"),
    ],
)
def test_amounts_are_exact_positive_and_sane(value, code):
    with pytest.raises(LedgerError) as caught:
        to_minor(value, "CDF")
    assert caught.value.code == code


def test_amounts_parse_exactly():
    assert to_minor("5000", "CDF") == 500_000
    assert to_minor(Decimal("95.50"), "USD") == 9_550
    assert to_minor("0.01", "USD") == 1


@pytest.mark.parametrize("shares", [6, -1, 100])
def test_shares_outside_one_to_five(session, grp, shares):
    group, saver = grp
    refused(
        session,
        "out_of_range",
        lambda: record_meeting(
            session, group, DAY + dt.timedelta(days=7), [saver], [R(saver, shares=shares)]
        ),
    )


def test_more_than_five_shares_in_one_meeting_over_two_postings(session, grp):
    group, saver = grp
    refused(
        session,
        "too_many_shares",
        lambda: record_meeting(session, group, DAY, [saver], [R(saver, shares=1)]),
    )


def test_loan_over_the_cap(session, grp):
    group, saver = grp
    err = refused(
        session,
        "over_cap",
        lambda: record_meeting(
            session, group, DAY + dt.timedelta(days=7), [saver], [R(saver, loan=15_001 * FC)]
        ),
    )  # 3 x 5,000 FC savings
    assert err.params["limit"] == 15_000 * FC


def test_loan_when_the_fund_is_short(session, grp):
    group, saver = grp
    rich = factories.member(session, group)
    record_meeting(
        session, group, DAY + dt.timedelta(days=7), [saver], [R(saver, shares=5), R(rich, shares=5)]
    )
    disburse(session, group, saver, 9_000 * FC, 1, DAY + dt.timedelta(days=7))
    session.commit()
    # 15,000 FC in shares, 9,000 FC lent: 6,000 FC left, rich may borrow 15,000 FC.
    err = refused(
        session,
        "fund_short",
        lambda: disburse(session, group, rich, 7_000 * FC, 1, DAY + dt.timedelta(days=8)),
    )
    assert err.params["available"] == 6_000 * FC


def test_whole_meeting_is_refused_when_one_record_breaks_a_rule(session, grp):
    group, saver = grp
    other = factories.member(session, group)
    session.commit()
    refused(
        session,
        "over_cap",
        lambda: record_meeting(
            session,
            group,
            DAY + dt.timedelta(days=7),
            [saver, other],
            [R(saver, shares=5, social_fund=200 * FC), R(other, shares=2, loan=1_000_000 * FC)],
        ),
    )


def test_repayment_above_what_is_owed(session, grp):
    group, saver = grp
    disburse(session, group, saver, 1_000 * FC, 1, DAY)
    session.commit()
    refused(session, "overpaid", lambda: repay(session, group, saver, 1_101 * FC, DAY))


def test_member_of_another_group(session, grp):
    group, _ = grp
    other_group = factories.group(session, code="VSLA2")
    stranger = factories.member(session, other_group)
    session.commit()
    refused(
        session,
        "other_group",
        lambda: record_meeting(session, group, DAY, [stranger], [R(stranger, shares=1)]),
    )


def test_grant_above_the_social_fund(session, grp):
    group, saver = grp
    refused(
        session,
        "fund_short",
        lambda: record_meeting(session, group, DAY, [saver], [R(saver, grant=1 * FC)]),
    )


def test_purchase_from_a_red_site_is_refused(session):
    coop = factories.cooperative(session)
    red = factories.site(session, coop, "RED1", status=SiteStatus.RED)
    miner = factories.member(session, coop=coop, roles="miner", site=red)
    session.commit()
    refused(
        session,
        "red_site",
        lambda: gold.record_purchase(
            session, miner=miner, site=red, weight_mg=1_000, price_per_gram=9_550, currency="USD"
        ),
    )


@pytest.mark.parametrize(
    ("grams", "code"),
    [
        ("0", "not_positive"),
        ("-2", "not_positive"),
        ("1.2345", "too_precise"),
        (2.5, "bad_number"),
    ],
)
def test_bad_weights(grams, code):
    with pytest.raises(LedgerError) as caught:
        gold.parse_grams(grams)
    assert caught.value.code == code


def test_entries_must_balance_and_are_immutable(session, grp):
    group, _ = grp
    cash = journal.account(session, journal.AccountKind.LOAN_FUND_CASH, "CDF", group_id=group.id)
    fines = journal.account(session, journal.AccountKind.FINE_INCOME, "CDF", group_id=group.id)
    with pytest.raises(LedgerError, match="sum to zero"):
        journal.post(session, EntryKind.FINE, "CDF", [(cash, 100), (fines, -99)], occurred_on=DAY)
    session.rollback()  # also forgets the fines account created above
    fines = journal.account(session, journal.AccountKind.FINE_INCOME, "CDF", group_id=group.id)
    entry = journal.post(
        session,
        EntryKind.FINE,
        "CDF",
        [(cash, 100), (fines, -100)],
        occurred_on=DAY,
        group_id=group.id,
    )
    session.commit()
    entry.lines[0].amount = 5
    with pytest.raises(LedgerError, match="never changed"):
        session.flush()
    session.rollback()
    session.refresh(cash)
    before = cash.balance
    journal.reverse(session, entry, DAY)
    session.commit()
    session.refresh(cash)
    assert cash.balance == before - 100


def test_a_drawn_receipt_number_already_in_use_is_drawn_again(session, monkeypatch):
    coop = factories.cooperative(session)
    mine = factories.site(session, coop)
    miner = factories.member(session, coop=coop, roles="miner", site=mine)
    # The lot's number, the first receipt, then a repeat of it that must be drawn again.
    draws = iter(["LLLL", "AAAAA", "AAAAA", "BBBBB"])
    monkeypatch.setattr(gold, "_random", lambda n: next(draws)[:n])
    first = gold.record_purchase(
        session, miner=miner, site=mine, weight_mg=1_000, price_per_gram=9_550, currency="USD"
    )
    second = gold.record_purchase(
        session, miner=miner, site=mine, weight_mg=1_000, price_per_gram=9_550, currency="USD"
    )
    assert first.receipt_number.endswith("-AAAAA")
    assert second.receipt_number.endswith("-BBBBB")
    assert next(draws, None) is None  # the repeat was drawn and refused
