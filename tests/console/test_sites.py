"""Sites in the console: each site's ICGLR status as it counts today (after expiry) and its
capacity, with their history; a coordinator of its cooperative records a new inspection or
capacity, its buyer reads, nobody else sees it; a bad form writes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from ledger import gold as books
from ledger.models import Site, SiteChange, SiteStatus
from tests.console.conftest import csrf


def changes(session) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(SiteChange))


def send(client, path: str, **data):
    page = client.get("/console/sites/SITE1").text
    return client.post(path, data={"csrf_token": csrf(page), **data})


def test_the_list_and_a_site_say_its_status_today(as_, session, world):
    site = session.scalar(select(Site).where(Site.code == "SITE1"))
    site.inspected_on = books.local_day() - dt.timedelta(days=400)  # green, a year ago: blue
    session.commit()
    client = as_("buyer")
    listed = client.get("/console/sites")
    assert listed.status_code == 200 and "SITE1" in listed.text
    page = client.get("/console/sites/SITE1").text
    assert "Bleu" in page and "Vert" in page  # counts as blue, rated green (French default)
    assert 'name="inspected_on"' not in page  # a buyer reads only


def test_a_coordinator_records_an_inspection_and_a_capacity(as_, session, world):
    client = as_("coordinator")
    before = changes(session)
    today = books.local_day()
    answer = send(
        client,
        "/console/sites/SITE1/status",
        status="yellow",
        inspected_on=today.isoformat(),
        deadline="",
        note="child seen at the pit",
    )
    assert answer.status_code == 302
    answer = send(client, "/console/sites/SITE1/capacity", capacity_grams="2500,5", note="")
    assert answer.status_code == 302
    assert changes(session) == before + 2
    site = session.scalar(select(Site).where(Site.code == "SITE1"))
    assert site.status == SiteStatus.YELLOW and site.deadline is not None
    assert site.capacity_mg_per_month == 2_500_500
    last = session.scalars(select(SiteChange).order_by(SiteChange.id.desc())).all()
    coordinator = world.staff["coordinator"]
    assert {c.recorded_by for c in last[:2]} == {f"console:{coordinator.id}"}
    page = client.get("/console/sites/SITE1").text
    assert "child seen at the pit" in page and coordinator.name in page


@pytest.mark.parametrize(
    ("path", "data", "field"),
    [
        ("status", {"status": "purple", "inspected_on": "2026-01-05"}, "status"),
        ("status", {"status": "green", "inspected_on": ""}, "inspected_on"),
        ("status", {"status": "green", "inspected_on": "2999-01-01"}, "inspected_on"),
        ("status", {"status": "green", "inspected_on": "2026-02-30"}, "inspected_on"),
        ("status", {"status": "red", "inspected_on": "2026-01-05", "deadline": "2026-03-01"},
         "deadline"),
        ("status", {"status": "yellow", "inspected_on": "2026-01-05", "deadline": "2025-01-01"},
         "deadline"),
        ("status", {"status": "green", "inspected_on": "2026-01-05", "note": "x" * 201}, "note"),
        ("capacity", {"capacity_grams": ""}, "capacity_grams"),
        ("capacity", {"capacity_grams": "-1"}, "capacity_grams"),
        ("capacity", {"capacity_grams": "NaN"}, "capacity_grams"),
        ("capacity", {"capacity_grams": "1.2345"}, "capacity_grams"),
        ("capacity", {"capacity_grams": "9" * 30}, "capacity_grams"),
        ("capacity", {"capacity_grams": "10", "note": "x" * 201}, "note"),
    ],
)  # fmt: skip
def test_a_bad_change_is_marked_and_writes_nothing(as_, session, world, path, data, field):
    before = changes(session)
    answer = send(as_("coordinator"), f"/console/sites/SITE1/{path}", **data)
    assert answer.status_code == 422
    assert f'name="{field}"' in answer.text and 'aria-invalid="true"' in answer.text
    assert changes(session) == before
    session.expire_all()
    site = session.scalar(select(Site).where(Site.code == "SITE1"))
    assert (site.status, site.capacity_mg_per_month) == (SiteStatus.GREEN, 3_000_000)


@pytest.mark.parametrize("who", ["buyer", "buyer_other", "officer", "officer_other"])
def test_only_its_coordinator_changes_a_site(as_, session, world, who):
    client = as_(who)
    assert client.get("/console/sites/SITE1").status_code == (200 if who == "buyer" else 404)
    token = csrf(client.get("/console/").text)
    before = changes(session)
    for path, data in (
        ("status", {"status": "red", "inspected_on": "2026-01-05"}),
        ("capacity", {"capacity_grams": "1"}),
    ):
        answer = client.post(f"/console/sites/SITE1/{path}", data={"csrf_token": token, **data})
        assert answer.status_code == 404
    assert changes(session) == before


def test_without_its_token_a_change_is_refused(as_, session, world):
    before = changes(session)
    client = as_("coordinator")
    answer = client.post("/console/sites/SITE1/capacity", data={"capacity_grams": "1"})
    assert answer.status_code == 400
    assert changes(session) == before


@pytest.mark.parametrize(("who", "status"), [("officer", 404), ("buyer_other", 200)])
def test_the_list_holds_only_sites_in_scope(as_, world, who, status):
    answer = as_(who).get("/console/sites")
    assert answer.status_code == status
    assert "SITE1" not in answer.text
