"""Mine-site status over time, with the day injected: a green rating expires to blue after a
year, a yellow site past its deadline counts as red, a red site refuses purchases (also one
downgraded after its purchases began), and every change is kept with who, when and why."""

import datetime as dt

import pytest

from ledger import authors, gold, sites
from ledger.errors import LedgerError
from ledger.models import Purchase, SiteChange, SiteStatus
from tests import factories

INSPECTED = dt.date(2025, 3, 10)


def at(day: dt.date) -> dt.datetime:
    """Noon local (10:00 UTC) on ``day``."""
    return dt.datetime.combine(day, dt.time(10, 0))


@pytest.fixture
def coop(session):
    return factories.cooperative(session)


@pytest.fixture
def site(session, coop):
    return factories.site(session, coop, "MBS-03")


@pytest.fixture
def miner(session, coop, site):
    m = factories.member(session, roles="member,miner", site=site, coop=coop)
    m.id_document = "CD-1"
    return m


def rate(session, site, status, day=INSPECTED, **kw):
    return sites.change_status(
        session, site, status, inspected_on=day, today=day + dt.timedelta(days=1), **kw
    )


def buy(session, miner, site, day):
    return gold.record_purchase(
        session,
        miner=miner,
        site=site,
        weight_mg=1000,
        price_per_gram=9550,
        currency="USD",
        at=at(day),
    )


def test_add_months_keeps_the_day_or_takes_the_last():
    assert sites.add_months(dt.date(2025, 1, 31), 1) == dt.date(2025, 2, 28)
    assert sites.add_months(dt.date(2024, 2, 29), 12) == dt.date(2025, 2, 28)
    assert sites.add_months(dt.date(2025, 11, 15), 3) == dt.date(2026, 2, 15)


def test_green_is_valid_one_year_then_blue(session, site):
    rate(session, site, "green")
    last = dt.date(2026, 3, 9)
    assert sites.status_on(site, last).status == SiteStatus.GREEN
    assert sites.status_on(site, last).until == last
    after = sites.status_on(site, last + dt.timedelta(days=1))
    assert (after.status, after.colour, after.expired) == (SiteStatus.BLUE, "blue", True)
    assert after.rated == SiteStatus.GREEN and after.since == dt.date(2026, 3, 10)


def test_yellow_default_deadline_three_months_then_red(session, site):
    rate(session, site, "yellow")
    assert site.deadline == dt.date(2025, 6, 10)
    assert sites.status_on(site, dt.date(2025, 6, 10)).status == SiteStatus.YELLOW
    later = sites.status_on(site, dt.date(2025, 6, 11))
    assert (later.status, later.expired, later.since) == (
        SiteStatus.RED,
        True,
        dt.date(2025, 6, 11),
    )


def test_yellow_with_a_given_deadline(session, site):
    rate(session, site, "yellow", deadline=dt.date(2025, 4, 1))
    assert sites.status_on(site, dt.date(2025, 4, 2)).status == SiteStatus.RED


@pytest.mark.parametrize(
    ("status", "kw", "code"),
    [
        ("purple", {}, "bad_status"),
        ("green", {"deadline": dt.date(2025, 6, 1)}, "no_deadline"),
        ("yellow", {"deadline": dt.date(2025, 1, 1)}, "out_of_range"),
    ],
)
def test_bad_ratings_are_refused_and_change_nothing(session, site, status, kw, code):
    before = (site.status, site.inspected_on, site.deadline)
    with pytest.raises(LedgerError) as err:
        rate(session, site, status, **kw)
    assert err.value.code == code
    assert (site.status, site.inspected_on, site.deadline) == before


def test_an_inspection_in_the_future_is_refused(session, site):
    with pytest.raises(LedgerError) as err:
        sites.change_status(
            session, site, "red", inspected_on=dt.date(2025, 3, 11), today=dt.date(2025, 3, 10)
        )
    assert err.value.code == "future"


def test_blue_and_the_old_name_not_inspected_are_one_status():
    assert sites.parse_status("blue") is SiteStatus.NOT_INSPECTED
    assert sites.parse_status("NOT_INSPECTED") is SiteStatus.BLUE
    assert [s.icglr_code for s in SiteStatus] == [1, 2, 3, 0]


def test_history_keeps_who_when_from_to_and_why(session, site):
    authors.record_as(session, authors.Author("token", 7))
    rate(session, site, "red", note="armed men seen on the site")
    sites.change_capacity(session, site, 500_000, note="fewer diggers")
    assert sites.change_capacity(session, site, 500_000) is None  # no change, no line
    rows = sites.history(session, site)
    assert [(r.field, r.old_value, r.new_value) for r in rows] == [
        ("status", None, "green"),
        ("capacity", None, "3000000"),
        ("status", "green", "red"),
        ("capacity", "3000000", "500000"),
    ]
    red = rows[2]
    assert red.note == "armed men seen on the site" and red.inspected_on == INSPECTED
    assert red.recorded_by == "token:7" and red.at is not None


def test_a_site_downgraded_after_its_purchases_began_refuses_the_next(session, site, miner):
    first = buy(session, miner, site, dt.date(2025, 3, 12))
    assert first.site_status == SiteStatus.GREEN
    rate(session, site, "red", day=dt.date(2025, 3, 13))
    session.commit()
    with pytest.raises(LedgerError) as err:
        buy(session, miner, site, dt.date(2025, 3, 14))
    assert err.value.code == "red_site" and err.value.field == "site"
    session.rollback()
    assert session.query(Purchase).count() == 1
    assert first.lot.mass_mg == 1000  # the open lot took nothing more


def test_a_yellow_site_past_its_deadline_refuses_purchases(session, site, miner):
    rate(session, site, "yellow", deadline=dt.date(2025, 3, 20))
    p = buy(session, miner, site, dt.date(2025, 3, 20))
    assert p.site_status == SiteStatus.YELLOW
    with pytest.raises(LedgerError) as err:
        buy(session, miner, site, dt.date(2025, 3, 21))
    assert err.value.code == "red_site" and "deadline" in err.value.message


def test_purchases_keep_the_status_they_were_made_under(session, site, miner):
    rate(session, site, "green", day=dt.date(2024, 3, 1))
    blue = buy(session, miner, site, dt.date(2025, 3, 12))  # the green year is over
    assert blue.site_status == SiteStatus.BLUE
    rate(session, site, "green", day=dt.date(2025, 3, 13))
    green = buy(session, miner, site, dt.date(2025, 3, 14))
    assert (blue.site_status, green.site_status) == (SiteStatus.BLUE, SiteStatus.GREEN)


def test_sites_open_for_purchase_leave_out_red_after_expiry(session, coop, site):
    late = factories.site(session, coop, "LATE")
    rate(session, late, "yellow", deadline=dt.date(2025, 4, 1))
    open_then = gold.sites_open_for_purchase(session, coop.id, dt.date(2025, 4, 1))
    open_after = gold.sites_open_for_purchase(session, coop.id, dt.date(2025, 4, 2))
    assert {s.code for s in open_then} == {"MBS-03", "LATE"}
    assert {s.code for s in open_after} == {"MBS-03"}


def test_alerts_for_red_sites_and_near_deadlines(session, coop, site):
    near = factories.site(session, coop, "NEAR")
    rate(session, near, "yellow", deadline=dt.date(2025, 4, 1))
    expired = factories.site(session, coop, "GONE")
    rate(session, expired, "yellow", deadline=dt.date(2025, 3, 15))
    due = {(a.site.code, a.kind, a.day) for a in sites.alerts_due(session, dt.date(2025, 3, 18))}
    assert due == {("NEAR", "deadline", dt.date(2025, 4, 1)), ("GONE", "red", dt.date(2025, 3, 16))}
    # 15 days before the deadline: not yet; long after turning red: not news any more.
    assert sites.alerts_due(session, dt.date(2025, 3, 17)) != []
    assert {a.site.code for a in sites.alerts_due(session, dt.date(2025, 3, 24))} == {"NEAR"}
    assert sites.alerts_due(session, dt.date(2025, 5, 1)) == []


def test_site_changes_are_a_table_of_their_own(session, site):
    assert session.query(SiteChange).filter_by(site_id=site.id).count() == 2
