"""Each flag raised above its threshold, not at it, not below (``ledger.evidence.checks``)."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from ledger.errors import LedgerError
from ledger.evidence import flags
from ledger.models import FlagKind, MemberStatus, Purchase, SiteStatus
from tests import factories
from tests.ledger.evidence.builders import NOON, buy, kinds, miner, post_price, use

# -- site capacity ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tolerance", "last_grams", "flagged"),
    [
        ("1.0", "39.999", False),  # 99.999 g in 30 days: below 100 g
        ("1.0", "40.000", False),  # 100.000 g: at capacity, not above
        ("1.0", "40.001", True),  # 100.001 g
        ("1.5", "90.000", False),  # 150.000 g = 100 g x 1.5
        ("1.5", "90.001", True),
    ],
)
def test_site_capacity(session, monkeypatch, site, tolerance, last_grams, flagged):
    use(monkeypatch, capacity_tolerance=Decimal(tolerance))
    m1, m2 = miner(session, site), miner(session, site)
    # 30 local days ending 10 March: from 9 March local midnight = 8 Feb 22:00 UTC.
    buy(session, m1, site, "500.000", dt.datetime(2025, 2, 8, 21, 59))  # 9 Feb 23:59 local: out
    buy(session, m1, site, "30.000", dt.datetime(2025, 2, 8, 22, 0))  # 10 Feb 00:00 local: in
    buy(session, m2, site, "30.000", dt.datetime(2025, 2, 20, 9))
    p = buy(session, m1, site, last_grams, NOON)
    session.commit()
    found = kinds(session, FlagKind.SITE_CAPACITY)
    today = [f for f in found if f.day == dt.date(2025, 3, 10)]
    assert bool(today) is flagged
    if flagged:
        (flag,) = today
        details = json.loads(flag.details)
        total_mg = 60_000 + int(Decimal(last_grams) * 1000)
        assert details["bought_mg"] == total_mg
        assert details["capacity_mg_per_month"] == 100_000
        assert Decimal(details["excess_mg"]) == total_mg - 100_000 * Decimal(tolerance)
        assert (flag.site_id, flag.purchase_id) == (site.id, p.id)
        assert "MAMBASA" in flag.reason


# -- miner outlier ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("big_grams", "flagged"),
    [("29.999", False), ("30.000", False), ("30.001", True)],  # median 10 g x 3 = 30 g
)
def test_miner_outlier(session, site, big_grams, flagged):
    site.capacity_mg_per_month = 10_000_000
    small = [miner(session, site), miner(session, site)]
    big = miner(session, site, gender="M")
    buy(session, small[0], site, "4.000", dt.datetime(2025, 3, 1, 9))  # 10 g in March
    buy(session, small[0], site, "6.000", dt.datetime(2025, 3, 2, 9))
    buy(session, small[1], site, "10.000", dt.datetime(2025, 3, 3, 9))
    buy(session, big, site, "500.000", dt.datetime(2025, 2, 27, 9))  # February: not counted
    buy(session, big, site, big_grams, NOON)
    session.commit()
    found = kinds(session, FlagKind.MINER_OUTLIER)
    assert [f.member_id for f in found] == ([big.id] if flagged else [])
    if flagged:
        details = json.loads(found[0].details)
        assert details == {
            "month": "2025-03",
            "miner_mg": 30_001,
            "median_mg": "10000.0",
            "miners": 3,
            "multiple": "3",
            "limit_mg": "30000.0",
            "ratio": "3.0001",
        }
        assert found[0].day == dt.date(2025, 3, 1)


def test_miner_outlier_needs_enough_miners(session, site):
    site.capacity_mg_per_month = 10_000_000
    a, b = miner(session, site), miner(session, site)
    buy(session, a, site, "1.000", NOON)
    buy(session, b, site, "900.000", NOON)  # 2 miners: no median worth comparing with
    session.commit()
    assert kinds(session, FlagKind.MINER_OUTLIER) == []


def test_median_of_even_count_is_the_mean_of_the_middle_two(session, site):
    site.capacity_mg_per_month = 10_000_000
    ms = [miner(session, site) for _ in range(4)]
    for m, grams in zip(ms, ["1.000", "2.000", "4.000", "18.001"], strict=True):
        buy(session, m, site, grams, NOON)
    session.commit()
    # median (2 + 4) / 2 = 3 g; 3 x 3 = 9 g; only 18.001 g is above.
    (flag,) = kinds(session, FlagKind.MINER_OUTLIER)
    assert flag.member_id == ms[3].id
    assert json.loads(flag.details)["median_mg"] == "3000.0"


# -- the seller -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "problems"),
    [
        ({}, []),
        ({"id_document": None}, ["no_id_document"]),
        ({"roles": "member"}, ["not_miner"]),
        ({"site_id": "other"}, ["other_site"]),
        ({"site_id": None}, ["no_site"]),
        ({"left_on": dt.date(2025, 3, 10)}, ["inactive"]),  # left that day
        ({"left_on": dt.date(2025, 3, 11)}, []),  # leaves the next day
        ({"id_document": "", "roles": "member,buyer"}, ["no_id_document", "not_miner"]),
    ],
)
def test_unregistered_seller(session, coop, site, change, problems):
    other = factories.site(session, coop, "OTHER")
    m = miner(session, site)
    for key, value in change.items():
        setattr(m, key, other.id if value == "other" else value)
    session.flush()
    p = buy(session, m, site, "1.000", NOON)
    session.commit()
    found = kinds(session, FlagKind.UNREGISTERED_SELLER)
    assert [json.loads(f.details)["problems"] for f in found] == ([problems] if problems else [])
    if problems:
        assert (found[0].purchase_id, found[0].member_id) == (p.id, m.id)


def test_inactive_seller_is_refused_and_deactivation_is_flagged_by_the_scan(session, site):
    m = miner(session, site)
    p = buy(session, m, site, "1.000", NOON)
    session.commit()
    assert kinds(session) == []
    m.status = MemberStatus.INACTIVE
    with pytest.raises(LedgerError):
        buy(session, m, site, "1.000", NOON)
    session.rollback()
    m.status = MemberStatus.INACTIVE
    session.commit()
    # Deactivated without a leaving date: the scan cannot tell when, so it flags.
    flags.scan(session, dt.date(2025, 3, 10), dt.date(2025, 3, 10))
    (flag,) = kinds(session)
    assert (flag.kind, flag.purchase_id) == (FlagKind.UNREGISTERED_SELLER, p.id)
    assert json.loads(flag.details)["problems"] == ["inactive"]


# -- one miner, several sites, one day -----------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "second", "same_site", "flagged"),
    [
        (dt.datetime(2025, 3, 10, 6), dt.datetime(2025, 3, 10, 15), True, False),
        (dt.datetime(2025, 3, 10, 6), dt.datetime(2025, 3, 10, 15), False, True),
        # 23:59 and 00:00 local: two days, though the same UTC day
        (dt.datetime(2025, 3, 10, 21, 59), dt.datetime(2025, 3, 10, 22, 0), False, False),
        # 00:30 and 23:30 local on 11 March: one local day across two UTC days
        (dt.datetime(2025, 3, 10, 22, 30), dt.datetime(2025, 3, 11, 21, 30), False, True),
    ],
)
def test_multi_site_day(session, coop, site, first, second, same_site, flagged):
    other = factories.site(session, coop, "OTHER")
    m = miner(session, site)
    buy(session, m, site, "1.000", first)
    p2 = buy(session, m, site if same_site else other, "1.000", second)
    session.commit()
    found = kinds(session, FlagKind.MULTI_SITE_DAY)
    assert len(found) == (1 if flagged else 0)
    if flagged:
        details = json.loads(found[0].details)
        assert details["sites"] == ["MAMBASA", "OTHER"]
        assert len(details["receipts"]) == 2
        assert (found[0].member_id, found[0].purchase_id) == (m.id, p2.id)


def test_multi_site_across_cooperatives_flags_each(session, coop, site):
    coop2 = factories.cooperative(session, "COOP2", "Autre")
    far = factories.site(session, coop2, "FAR")
    m = miner(session, site)
    buy(session, m, site, "1.000", NOON)
    buy(session, m, far, "1.000", NOON + dt.timedelta(hours=2))
    session.commit()
    found = kinds(session, FlagKind.MULTI_SITE_DAY)
    assert sorted(f.cooperative_id for f in found) == sorted([coop.id, coop2.id])
    # A scan of one cooperative still sees the other's sale of that day.
    for flag in found:
        session.delete(flag)
    session.commit()
    flags.scan(session, dt.date(2025, 3, 10), dt.date(2025, 3, 10), cooperative_id=coop.id)
    (flag,) = kinds(session, FlagKind.MULTI_SITE_DAY)
    assert flag.cooperative_id == coop.id
    assert json.loads(flag.details)["sites"] == ["MAMBASA", "FAR"]  # in site order


# -- site status ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "flagged"),
    [
        (SiteStatus.GREEN, False),
        (SiteStatus.YELLOW, True),
        (SiteStatus.NOT_INSPECTED, True),
    ],
)
def test_site_status(session, site, status, flagged):
    site.status = status
    p = buy(session, miner(session, site), site, "1.000", NOON)
    session.commit()
    found = kinds(session, FlagKind.SITE_STATUS)
    assert [f.purchase_id for f in found] == ([p.id] if flagged else [])


def test_red_site_refused_then_a_site_turned_red_is_flagged_by_the_scan(session, site):
    m = miner(session, site)
    p = buy(session, m, site, "1.000", NOON)
    session.commit()
    site.status = SiteStatus.RED
    with pytest.raises(LedgerError) as err:
        buy(session, m, site, "1.000", NOON)
    assert err.value.code == "red_site"
    session.rollback()
    site.status = SiteStatus.RED
    assert session.scalar(select(func.count()).select_from(Purchase)) == 1
    flags.scan(session, dt.date(2025, 3, 10), dt.date(2025, 3, 10))
    (flag,) = kinds(session, FlagKind.SITE_STATUS)
    details = json.loads(flag.details)
    assert flag.purchase_id == p.id
    assert (details["site_status"], details["site_status_now"]) == ("green", "red")


# -- price ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("price", "currency", "flagged"),
    [
        ("119.99", "USD", False),
        ("120.00", "USD", False),  # 100.00 x 1.2: at the limit
        ("120.01", "USD", True),
        ("300000.00", "CDF", False),  # 250,000 FC x 1.2
        ("300000.01", "CDF", True),
    ],
)
def test_price_above_posted(session, coop, site, price, currency, flagged):
    post_price(session, coop, NOON - dt.timedelta(hours=3), 100_00, 250_000_00)
    later = NOON + dt.timedelta(hours=1)  # not in force
    post_price(session, coop, later, 500_00, 900_000_00)
    p = buy(session, miner(session, site), site, "1.000", NOON, price=price, currency=currency)
    session.commit()
    found = kinds(session, FlagKind.PRICE_ABOVE_POSTED)
    assert [f.purchase_id for f in found] == ([p.id] if flagged else [])
    if flagged:
        details = json.loads(found[0].details)
        assert details["currency"] == currency
        assert details["posted_per_gram_minor"] == (100_00 if currency == "USD" else 250_000_00)


@pytest.mark.parametrize(("age_days", "flagged"), [(7, True), (8, False)])
def test_price_compared_only_with_a_recentpost_price(session, coop, site, age_days, flagged):
    post_price(session, coop, NOON - dt.timedelta(days=age_days), 100_00)
    buy(session, miner(session, site), site, "1.000", NOON, price="150.00")
    session.commit()
    assert len(kinds(session, FlagKind.PRICE_ABOVE_POSTED)) == (1 if flagged else 0)


def test_no_cdf_post_no_cdf_comparison(session, coop, site):
    post_price(session, coop, NOON - dt.timedelta(hours=1), 100_00)  # USD only
    buy(session, miner(session, site), site, "1.000", NOON, price="900000.00", currency="CDF")
    session.commit()
    assert kinds(session, FlagKind.PRICE_ABOVE_POSTED) == []
