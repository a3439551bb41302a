"""`PATCH /api/v1/sites/{code}`: a new inspection or capacity, kept in the history with who,
when, from, to and the note; a site downgraded to red refuses the next purchase; hostile
callers change nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from ledger import gold
from tests.api.test_gold import purchase_body


def test_a_coordinator_downgrades_a_site_and_the_next_purchase_is_refused(api, world):
    assert api("POST", "/purchases", purchase_body(world), as_="buyer").status_code == 201
    today = gold.local_day().isoformat()
    answer = api(
        "PATCH",
        "/sites/site1",
        {"status": "red", "inspected_on": today, "note": "child labour seen"},
    )
    assert answer.status_code == 200, answer.get_json()
    site = answer.get_json()
    assert (site["status"], site["colour"], site["icglr_code"]) == ("red", "red", 3)
    last = site["history"][-1]
    assert (last["field"], last["from"], last["to"], last["note"]) == (
        "status",
        "green",
        "red",
        "child labour seen",
    )
    assert last["recorded_by"] == f"token:{world.token_ids['coordinator']}"
    assert last["who"] == "API: coordinator"
    refused = api("POST", "/purchases", purchase_body(world), as_="buyer")
    assert refused.status_code == 422
    assert refused.get_json()["code"] == "red_site" and refused.get_json()["field"] == "site"


def test_an_old_green_inspection_reads_blue_and_the_old_name_still_works(api, world):
    year_ago = (gold.local_day() - dt.timedelta(days=400)).isoformat()
    answer = api("PATCH", "/sites/SITE1", {"status": "green", "inspected_on": year_ago})
    body = answer.get_json()
    assert (body["status"], body["colour"], body["rated"], body["expired"]) == (
        "not_inspected",
        "blue",
        "green",
        True,
    )
    blue = api("PATCH", "/sites/SITE1", {"status": "not_inspected", "inspected_on": year_ago})
    assert blue.get_json()["colour"] == "blue"
    bought = api("POST", "/purchases", purchase_body(world), as_="buyer").get_json()
    assert "site_status" in [f["kind"] for f in bought["flags"]]


def test_a_yellow_site_gets_its_deadline_and_capacity_changes_are_kept(api, world):
    today = gold.local_day()
    answer = api(
        "PATCH",
        "/sites/SITE1",
        {"status": "yellow", "inspected_on": today.isoformat(), "capacity_grams_per_month": 800},
    ).get_json()
    assert answer["deadline"] == answer["status_until"]
    assert answer["capacity_grams_per_month"] == "800.000"
    assert [h["field"] for h in answer["history"]][-2:] == ["status", "capacity"]
    shown = api("GET", "/sites/SITE1", as_="buyer").get_json()
    assert shown["history"] == answer["history"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "status"),
        ({"status": "red"}, "inspected_on"),
        ({"status": "purple", "inspected_on": "2025-01-01"}, "status"),
        ({"status": "red", "inspected_on": "2099-12-31"}, "inspected_on"),
        ({"status": "green", "inspected_on": "2025-01-01", "deadline": "2025-02-01"}, "deadline"),
        ({"inspected_on": "2025-01-01"}, "status"),
        ({"capacity_grams_per_month": -1}, "capacity_grams_per_month"),
        ({"capacity_grams_per_month": 5, "owner": "x"}, "owner"),
        ({"status": "red", "inspected_on": "2025-01-01", "note": "x" * 201}, "note"),
    ],
)
def test_bad_changes_are_refused_and_write_nothing(api, world, body, field):
    answer = api("PATCH", "/sites/SITE1", body)
    assert answer.status_code == 422 and answer.get_json()["field"] == field
    site = api("GET", "/sites/SITE1").get_json()
    assert site["colour"] == "green" and len(site["history"]) == 2


@pytest.mark.parametrize("who", ["buyer", "buyer_other", "officer"])
def test_only_a_coordinator_changes_a_site(api, world, who):
    answer = api("PATCH", "/sites/SITE1", {"status": "red", "inspected_on": "2025-01-01"}, as_=who)
    assert answer.status_code == 403
    assert api("GET", "/sites/SITE1").get_json()["colour"] == "green"


def test_another_cooperatives_buyer_does_not_read_the_site_and_unknown_is_404(api, world):
    assert api("GET", "/sites/SITE1", as_="buyer_other").status_code == 403
    assert api("GET", "/sites/NOPE").status_code == 404
    assert api("PATCH", "/sites/NOPE", {"capacity_grams_per_month": 1}).status_code == 404
