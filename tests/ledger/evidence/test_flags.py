"""Flags stored once per subject: recomputing updates them (the hook, the scan, the command
line, two scans at once), and a purchase is never blocked by them."""

import datetime as dt
import json
import threading
from decimal import Decimal

from sqlalchemy import func, select

from ledger import db
from ledger.evidence import flags, jobs, settings
from ledger.models import PURCHASE_KINDS, FlagKind, Purchase, SiteStatus
from tests import factories
from tests.ledger.evidence.builders import NOON, buy, kinds, miner, post_price

# -- recomputing, and never blocking -------------------------------------------------------------


#: The kinds a purchase can raise (a payout unknown for a day is the payouts' own flag).


def _busy_day(session, coop, site):
    """Purchases raising every kind of flag."""
    site.status = SiteStatus.NOT_INSPECTED
    other = factories.site(session, coop, "OTHER", capacity_grams=10_000)
    post_price(session, coop, NOON - dt.timedelta(hours=2), 100_00)
    a, b, c = miner(session, site), miner(session, site), miner(session, site, id_document=None)
    buy(session, a, site, "1.000", NOON)
    buy(session, b, site, "1.000", NOON)
    buy(session, c, site, "150.000", NOON, price="130.00")
    buy(session, c, other, "1.000", NOON + dt.timedelta(hours=1))
    buy(session, a, site, "1.000", NOON + dt.timedelta(hours=2), price="90.00")
    session.commit()


def test_recomputing_adds_nothing(session, coop, site):
    _busy_day(session, coop, site)
    stored = {(f.kind, f.key, f.details) for f in kinds(session)}
    assert {k for k, _, _ in stored} == PURCHASE_KINDS
    summary = flags.scan(session, dt.date(2025, 3, 1), dt.date(2025, 3, 31))
    session.commit()
    assert (summary.purchases, summary.created, summary.updated) == (5, 0, 0)
    again = jobs.scan_flags(days=31, until="2025-03-31")
    assert (again["created"], again["updated"]) == (0, 0)
    assert {(f.kind, f.key, f.details) for f in kinds(session)} == stored


def test_scan_finds_what_the_hook_missed(session, coop, site, monkeypatch):
    def broken(*_args, **_kwargs):
        raise RuntimeError("flag store unavailable")

    monkeypatch.setattr(flags, "findings_for_purchase", broken)
    _busy_day(session, coop, site)  # purchases recorded and committed despite the failure
    assert session.scalar(select(func.count()).select_from(Purchase)) == 5
    assert kinds(session) == []
    monkeypatch.undo()
    summary = jobs.scan_flags(days=1, until="2025-03-10")
    assert summary["created"] == len(kinds(session)) > 0
    assert {f.kind for f in kinds(session)} == PURCHASE_KINDS


def test_flags_for_the_purchase_are_listed_for_the_buyer(session, coop, site):
    site.status = SiteStatus.NOT_INSPECTED
    p = buy(session, miner(session, site, id_document=None), site, "1.000", NOON)
    assert {f.kind for f in flags.flags_for_purchase(session, p)} == {
        FlagKind.SITE_STATUS,
        FlagKind.UNREGISTERED_SELLER,
    }


def test_settings_from_config():
    s = settings.from_config(
        {
            "EVIDENCE_CAPACITY_TOLERANCE": "1.25",
            "EVIDENCE_PRICE_MAX_AGE_DAYS": "3",
            "SANDUKU_TZ": "UTC",
        }
    )
    assert (s.capacity_tolerance, s.price_max_age_days, s.tz) == (Decimal("1.25"), 3, "UTC")
    assert s.outlier_multiple == Decimal("3")
    assert s.day_start(dt.date(2025, 3, 10)) == dt.datetime(2025, 3, 10)
    assert settings.Settings().day_start(dt.date(2025, 3, 10)) == dt.datetime(2025, 3, 9, 22)


def test_scan_and_list_on_the_command_line(runner, session, coop, site, monkeypatch):
    monkeypatch.setattr(flags, "findings_for_purchase", lambda *a, **k: [])  # hook finds nothing
    site.status = SiteStatus.NOT_INSPECTED
    buy(session, miner(session, site), site, "1.000", NOON)
    session.commit()
    monkeypatch.undo()
    scanned = runner.invoke(args=["report", "scan", "--days", "1", "--until", "2025-03-10"])
    assert scanned.exit_code == 0, scanned.output
    assert json.loads(scanned.output)["created"] == 1
    listed = runner.invoke(args=["report", "flags", "--kind", "site_status"])
    assert listed.exit_code == 0
    assert listed.stdout.splitlines()[0].split("\t")[1:3] == ["2025-03-10", "site_status"]
    assert runner.invoke(args=["report", "flags", "--kind", "price_above_posted"]).stdout == ""


def test_two_scans_at_once_store_each_flag_once(session, coop, site, monkeypatch):
    """Two workers scanning together: on PostgreSQL both read "no flag yet" before either
    writes (a barrier holds them), so the second insert meets the unique key and turns into
    an update; SQLite serialises the two writers instead."""
    monkeypatch.setattr(flags, "findings_for_purchase", lambda *a, **k: [])
    _busy_day(session, coop, site)
    monkeypatch.undo()
    db.session.remove()
    racing = db.engine().dialect.name != "sqlite"
    barrier = threading.Barrier(2, timeout=30)
    real = flags._details_json
    seen = threading.local()

    def details_json(details):
        if racing and not getattr(seen, "waited", False):
            seen.waited = True
            barrier.wait()  # both scans have loaded the (empty) flags before inserting
        return real(details)

    monkeypatch.setattr(flags, "_details_json", details_json)
    results, errors = [], []

    def scan():
        try:
            results.append(jobs.scan_flags(days=1, until="2025-03-10"))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            db.session.remove()

    threads = [threading.Thread(target=scan) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == [] and len(results) == 2
    stored = kinds(db.session())
    assert (
        len({f.key for f in stored}) == len(stored) == results[0]["created"] + results[1]["created"]
    )
    assert {f.kind for f in stored} == PURCHASE_KINDS
