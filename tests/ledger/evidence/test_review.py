"""Flags people act on: underpayment against the day's posted price; open -> confirmed or
dismissed with who, when and why; a dismissed flag stays dismissed on the next scan unless
its numbers change; the digest's untold flags."""

import datetime as dt
import json
from decimal import Decimal

import pytest

from ledger import authors
from ledger.errors import LedgerError
from ledger.evidence import flags, review
from ledger.models import FlagKind, FlagStatus
from tests.ledger.evidence.builders import NOON, buy, kinds, miner, post_price, use

DAY = NOON.date()


@pytest.mark.parametrize(
    ("tolerance", "price", "flagged"),
    [
        ("0.05", "95.00", False),  # exactly 5 % below: not more than the tolerance
        ("0.05", "94.99", True),
        ("0.05", "100.00", False),
        ("0.10", "94.99", False),
        ("0", "99.99", True),
    ],
)
def test_underpayment_against_the_posted_price(
    session, monkeypatch, coop, site, tolerance, price, flagged
):
    use(monkeypatch, underpayment_tolerance=Decimal(tolerance))
    post_price(session, coop, NOON - dt.timedelta(hours=2), 100_00)
    p = buy(session, miner(session, site), site, "2.000", NOON, price=price)
    session.commit()
    found = kinds(session, FlagKind.UNDERPAYMENT)
    assert [f.purchase_id for f in found] == ([p.id] if flagged else [])
    if flagged:
        details = json.loads(found[0].details)
        assert details["posted_per_gram_minor"] == 100_00
        assert details["tolerance"] == tolerance
        assert "below" in found[0].reason


def test_no_posted_price_no_underpayment(session, coop, site):
    buy(session, miner(session, site), site, "2.000", NOON, price="1.00")
    session.commit()
    assert kinds(session, FlagKind.UNDERPAYMENT) == []


def test_the_tolerance_is_read_from_the_configuration():
    from ledger.evidence import settings

    s = settings.from_config({"EVIDENCE_UNDERPAYMENT_TOLERANCE": "0.08"})
    assert s.underpayment_tolerance == Decimal("0.08")
    assert settings.OPTIONS["EVIDENCE_UNDERPAYMENT_TOLERANCE"] == Decimal("0.05")


@pytest.fixture
def underpaid(session, coop, site):
    post_price(session, coop, NOON - dt.timedelta(hours=2), 100_00)
    m = miner(session, site)
    buy(session, m, site, "2.000", NOON, price="80.00")
    session.commit()
    (flag,) = kinds(session, FlagKind.UNDERPAYMENT)
    return flag


def test_a_new_flag_is_open_and_untold(session, underpaid):
    assert underpaid.status == FlagStatus.OPEN and underpaid.notified_at is None
    assert review.untold(session) == {underpaid.cooperative_id: [underpaid]}


def test_confirm_and_dismiss_keep_who_when_and_why(session, underpaid):
    authors.record_as(session, authors.Author("token", 3))
    review.review(session, underpaid, "confirmed", "miner says he was cheated")
    assert (underpaid.status, underpaid.reviewed_by, underpaid.review_note) == (
        FlagStatus.CONFIRMED,
        "token:3",
        "miner says he was cheated",
    )
    assert underpaid.reviewed_at is not None
    assert flags.flag_as_dict(underpaid)["review"]["by"] == "token:3"


@pytest.mark.parametrize(
    ("status", "note", "code"),
    [
        ("dismissed", None, "required"),
        ("dismissed", "  ", "required"),
        ("closed", "x", "bad_status"),
        ("confirmed", "x" * 201, "too_long"),
    ],
)
def test_bad_reviews_are_refused(session, underpaid, status, note, code):
    with pytest.raises(LedgerError) as err:
        review.review(session, underpaid, status, note)
    assert err.value.code == code
    assert underpaid.status == FlagStatus.OPEN and underpaid.reviewed_at is None


def test_a_dismissed_flag_stays_dismissed_unless_its_numbers_change(session, coop, site, underpaid):
    review.review(session, underpaid, "dismissed", "gold was wet: weighed again")
    review.mark_told([underpaid])
    session.commit()
    flags.scan(session, DAY, DAY)
    session.commit()
    assert underpaid.status == FlagStatus.DISMISSED  # same numbers: not back
    assert review.untold(session) == {}
    # A later, lower post in force changes the numbers: the flag is open and untold again.
    post_price(session, coop, NOON - dt.timedelta(hours=1), 120_00)
    flags.scan(session, DAY, DAY)
    session.commit()
    assert json.loads(underpaid.details)["posted_per_gram_minor"] == 120_00
    assert underpaid.status == FlagStatus.OPEN and underpaid.notified_at is None
    assert underpaid.review_note == "gold was wet: weighed again"  # the last review is kept


def test_a_confirmed_flag_stays_confirmed_when_its_numbers_change(session, coop, underpaid):
    review.review(session, underpaid, "confirmed")
    post_price(session, coop, NOON - dt.timedelta(hours=1), 120_00)
    flags.scan(session, DAY, DAY)
    assert underpaid.status == FlagStatus.CONFIRMED


def test_the_list_filters_by_status(session, underpaid):
    assert flags.list_flags(session, status=FlagStatus.OPEN) != []
    review.review(session, underpaid, "dismissed", "explained")
    open_now = flags.list_flags(session, status=FlagStatus.OPEN)
    assert underpaid not in open_now
    assert underpaid in flags.list_flags(session, status=FlagStatus.DISMISSED)


def test_the_digest_summary_counts_kinds_and_names_sites(session, coop, site):
    post_price(session, coop, NOON - dt.timedelta(hours=2), 100_00)
    m = miner(session, site, id_document=None)
    buy(session, m, site, "2.000", NOON, price="80.00")
    buy(session, m, site, "2.000", NOON + dt.timedelta(minutes=5), price="80.00")
    session.commit()
    (told,) = review.untold(session).values()
    summary = review.summary(session, told)
    assert summary[0][:2] in ((FlagKind.UNDERPAYMENT, 2), (FlagKind.UNREGISTERED_SELLER, 2))
    assert {k for k, _, _ in summary} == {FlagKind.UNDERPAYMENT, FlagKind.UNREGISTERED_SELLER}
    assert all(codes == [site.code] for _, _, codes in summary)
