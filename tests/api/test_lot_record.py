"""`GET /api/v1/lots/{lot}/record`: the MD.12 record in JSON and CSV, with the statuses its
purchases were made under, purchases of unknown fineness, and the buyer's scope."""

from __future__ import annotations

import csv
import io

from ledger import gold, sites
from tests.api.test_gold import purchase_body


def _lot(api, world, session) -> str:
    first = api("POST", "/purchases", purchase_body(world), as_="buyer").get_json()
    today = gold.local_day()
    sites.change_status(session, world.site, "yellow", inspected_on=today, today=today)
    session.commit()
    api("POST", "/purchases", purchase_body(world, fineness=None), as_="buyer")
    return first["lot"]


def test_the_record_in_json_marks_statuses_and_unknown_fineness(api, world, session):
    lot = _lot(api, world, session)
    record = api("GET", f"/lots/{lot}/record", as_="buyer").get_json()
    assert record["lotNumber"] == lot and record["mineral"] == "7108.12"
    assert record["siteStatuses"] == ["green", "yellow"]
    assert record["purchasesFinenessUnknown"] == 1 and record["fineGoldKnown"] is False
    assert record["concentration"] is None and len(record["purchases"]) == 2
    assert record["custody"] == []


def test_the_record_in_csv(api, world, session, client):
    lot = _lot(api, world, session)
    answer = client.get(
        f"/api/v1/lots/{lot}/record?format=csv",
        headers={"Authorization": f"Bearer {world.tokens['coordinator']}"},
    )
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    rows = dict(csv.reader(io.StringIO(answer.get_data(as_text=True))))
    assert rows["lotNumber"] == lot and rows["unitOfMeasurement"] == "GRM"
    assert rows["siteStatuses.1"] == "yellow" and rows["purchases.1.purchaseNumber"]


def test_another_cooperatives_buyer_and_unknown_lots(api, world, session):
    lot = _lot(api, world, session)
    assert api("GET", f"/lots/{lot}/record", as_="buyer_other").status_code == 403
    assert api("GET", "/lots/NOPE/record").status_code == 404
    assert api("GET", f"/lots/{lot}/record?format=xml").status_code == 422
