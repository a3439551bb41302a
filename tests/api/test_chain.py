"""Exporters and refiners, sealing and shipping a lot to an exporter, taxes paid: over the API,
with the lot record carrying each of them, and every refusal a clear 4xx."""

from __future__ import annotations

import csv
import io

import pytest

from tests.api.test_gold import purchase_body

EXPORTER = {"name": "Comptoir Bunia Or", "licence": "CEEC/EXP/2025/014", "country": "cd"}
REFINER = {"name": "Affinerie de Kampala", "licence": "UG-REF-77", "country": "UG"}


def _purchase(api) -> dict:
    answer = api("POST", "/purchases", purchase_body(api.world), as_="buyer")
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()


def _partners(api) -> tuple[int, int]:
    exporter = api("POST", "/exporters", EXPORTER)
    refiner = api("POST", "/refiners", REFINER)
    assert exporter.status_code == refiner.status_code == 201
    return exporter.get_json()["id"], refiner.get_json()["id"]


def _sealed(api) -> str:
    lot = _purchase(api)["lot"]
    sealed = api(
        "POST",
        f"/lots/{lot}/seal",
        {"tag": "tag-0001", "issuer": "SAEMAPE", "package_type": "sealed bag", "nr_of_packages": 1},
    )
    assert sealed.status_code == 200, sealed.get_json()
    return lot


def test_exporters_and_refiners_are_created_and_listed(api):
    exporter_id, refiner_id = _partners(api)
    exporters = api("GET", "/exporters").get_json()["exporters"]
    assert exporters == [
        {"id": exporter_id, "name": "Comptoir Bunia Or", "licence": "CEEC/EXP/2025/014",
         "country": "CD"}
    ]  # fmt: skip
    assert [r["id"] for r in api("GET", "/refiners").get_json()["refiners"]] == [refiner_id]
    again = api("POST", "/exporters", EXPORTER)
    assert again.status_code == 409 and again.get_json()["field"] == "licence"
    # the same licence for a refiner, or in another country, is another firm
    assert api("POST", "/refiners", EXPORTER).status_code == 201
    assert api("POST", "/exporters", {**EXPORTER, "country": "UG"}).status_code == 201


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**EXPORTER, "country": "ZZ"}, "country"),
        ({**EXPORTER, "country": "COD"}, "country"),
        ({**EXPORTER, "country": 243}, "country"),
        ({**EXPORTER, "licence": ""}, "licence"),
        ({**EXPORTER, "licence": "x" * 65}, "licence"),
        ({**EXPORTER, "name": "   "}, "name"),
        ({k: v for k, v in EXPORTER.items() if k != "licence"}, "licence"),
        ({**EXPORTER, "city": "Bunia"}, "city"),
    ],
)
def test_a_bad_exporter_is_refused(api, body, field):
    answer = api("POST", "/exporters", body)
    assert answer.status_code == 422 and answer.get_json()["field"] == field
    assert api("GET", "/exporters").get_json()["exporters"] == []


@pytest.mark.parametrize("who", ["buyer", "buyer_other", "officer"])
def test_only_a_coordinator_keeps_exporters(api, who):
    assert api("POST", "/exporters", EXPORTER, as_=who).status_code == 403
    assert api("GET", "/exporters", as_=who).status_code == 403
    assert api("POST", "/refiners", REFINER, as_=who).status_code == 403
    assert api("GET", "/exporters").get_json()["exporters"] == []


def test_a_shipped_lot_carries_its_exporter_certificate_refiner_and_packages(api, world):
    exporter_id, refiner_id = _partners(api)
    lot = _sealed(api)
    shipped = api(
        "POST",
        f"/lots/{lot}/ship",
        {
            "exporter": exporter_id,
            "refiner": refiner_id,
            "export_certificate": "CEEC-2025-00321",
            "destination": "Entebbe",
            "nr_of_packages": 2,
            "custodian_id": world.miner.id,
        },
    )
    assert shipped.status_code == 200, shipped.get_json()
    record = api("GET", f"/lots/{lot}/record", as_="buyer").get_json()
    assert record["exporter"] == {
        "id": exporter_id,
        "name": "Comptoir Bunia Or",
        "licence": "CEEC/EXP/2025/014",
        "country": "CD",
    }
    assert record["refiner"]["name"] == "Affinerie de Kampala"
    assert record["refiner"]["country"] == "UG"
    assert record["exportCertificate"] == "CEEC-2025-00321"
    assert (record["packageType"], record["nrOfPackages"]) == ("sealed bag", 2)
    assert record["dateShipped"] and record["tag"]["identifier"] == "TAG-0001"
    assert [step["action"] for step in record["custody"]] == ["sealed", "shipped"]
    assert record["custody"][-1]["custodian"] == world.miner.name
    assert record["custody"][-1]["note"] == "Entebbe"


def test_a_lot_without_exporter_details_says_so(api):
    lot = _purchase(api)["lot"]
    record = api("GET", f"/lots/{lot}/record").get_json()
    assert record["exporter"] is None and record["refiner"] is None
    assert record["exportCertificate"] is None and record["taxesPaid"] == []
    assert record["packageType"] is None and record["nrOfPackages"] is None


def test_shipping_refusals(api, world):
    exporter_id, refiner_id = _partners(api)
    lot = _purchase(api)["lot"]
    unsealed = api("POST", f"/lots/{lot}/ship", {"exporter": exporter_id})
    assert unsealed.status_code == 422 and unsealed.get_json()["code"] == "not_sealed"
    assert _sealed(api) == lot  # the site's open lot takes the next purchase, then is sealed
    cases = [
        ({}, 422, "exporter"),
        ({"exporter": 999_999}, 422, "exporter"),
        ({"exporter": refiner_id}, 422, "exporter"),  # a refiner is not an exporter
        ({"exporter": exporter_id, "refiner": exporter_id}, 422, "refiner"),
        ({"exporter": "one"}, 422, "exporter"),
        ({"exporter": 1.5}, 422, "exporter"),
        ({"exporter": -1}, 422, "exporter"),
        ({"exporter": exporter_id, "nr_of_packages": 0}, 422, "nr_of_packages"),
        ({"exporter": exporter_id, "nr_of_packages": 2.5}, 422, "nr_of_packages"),
        ({"exporter": exporter_id, "export_certificate": "x" * 65}, 422, "export_certificate"),
        ({"exporter": exporter_id, "custodian_id": 999_999}, 422, "custodian_id"),
    ]
    for body, status, field in cases:
        answer = api("POST", f"/lots/{lot}/ship", body)
        assert (answer.status_code, answer.get_json().get("field")) == (status, field), body
    assert api("POST", "/lots/NOPE/ship", {"exporter": exporter_id}).status_code == 404
    record = api("GET", f"/lots/{lot}/record").get_json()
    assert record["dateShipped"] is None and record["exporter"] is None


def test_a_lot_ships_once_and_only_a_coordinator_ships_it(api, world):
    exporter_id, _ = _partners(api)
    lot = _sealed(api)
    for who in ("buyer", "buyer_other", "officer"):
        assert (
            api("POST", f"/lots/{lot}/ship", {"exporter": exporter_id}, as_=who).status_code == 403
        )
        assert api("POST", f"/lots/{lot}/seal", {"tag": "T2"}, as_=who).status_code == 403
    assert api("POST", f"/lots/{lot}/ship", {"exporter": exporter_id}).status_code == 200
    again = api("POST", f"/lots/{lot}/ship", {"exporter": exporter_id})
    assert again.status_code == 422 and again.get_json()["code"] == "not_sealed"


def test_seal_refusals(api):
    lot = _purchase(api)["lot"]
    for body, field in [
        ({}, "tag"),
        ({"tag": "T1", "nr_of_packages": -1}, "nr_of_packages"),
        ({"tag": "T1", "package_type": "x" * 41}, "package_type"),
    ]:
        answer = api("POST", f"/lots/{lot}/seal", body)
        assert (answer.status_code, answer.get_json()["field"]) == (422, field), body
    assert api("GET", f"/lots/{lot}/record").get_json()["dateSealed"] is None


def test_taxes_against_a_purchase_and_a_lot_show_in_the_record(api, world, client):
    purchase = _purchase(api)
    lot = purchase["lot"]
    on_purchase = api(
        "POST",
        "/taxes",
        {"purchase": purchase["receipt_number"], "place": "site", "tax": "taxe SAEMAPE",
         "amount": "2.50", "currency": "USD", "payee": "SAEMAPE Mongbwalu",
         "receipt_number": "SAE-0042", "paid_on": "2025-03-10"},
    )  # fmt: skip
    assert on_purchase.status_code == 201, on_purchase.get_json()
    assert on_purchase.get_json()["record"] == f"/api/v1/lots/{lot}/record"
    on_lot = api(
        "POST",
        "/taxes",
        {"lot": lot, "place": "cooperative", "amount": 45000, "currency": "cdf",
         "payee": "Division des Mines", "receipt_number": "DM/2025/7"},
    )  # fmt: skip
    assert on_lot.status_code == 201, on_lot.get_json()
    record = api("GET", f"/lots/{lot}/record", as_="buyer").get_json()
    first, second = record["taxesPaid"]
    assert first == {
        "place": "site",
        "tax": "taxe SAEMAPE",
        "amount": "2.50",
        "currency": "USD",
        "payee": "SAEMAPE Mongbwalu",
        "receiptNumber": "SAE-0042",
        "datePaid": "2025-03-10",
        "lotNumber": None,
        "purchaseNumber": purchase["receipt_number"],
    }
    assert (second["amount"], second["currency"], second["lotNumber"]) == ("45000.00", "CDF", lot)
    answer = client.get(
        f"/api/v1/lots/{lot}/record?format=csv",
        headers={"Authorization": f"Bearer {world.tokens['coordinator']}"},
    )
    rows = dict(csv.reader(io.StringIO(answer.get_data(as_text=True))))
    assert rows["taxesPaid.0.receiptNumber"] == "SAE-0042"
    assert rows["taxesPaid.1.payee"] == "Division des Mines"


TAX = {
    "place": "site",
    "amount": "10",
    "currency": "USD",
    "payee": "SAEMAPE",
    "receipt_number": "R1",
}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"amount": "-5"}, "amount"),
        ({"amount": 0}, "amount"),
        ({"amount": "10.005"}, "amount"),
        ({"amount": 10.005}, "amount"),
        ({"amount": "1e400"}, "amount"),
        ({"amount": "ten"}, "amount"),
        ({"amount": True}, "amount"),
        ({"currency": "EUR"}, "currency"),
        ({"place": "river"}, "place"),
        ({"payee": ""}, "payee"),
        ({"receipt_number": ""}, "receipt_number"),
        ({"paid_on": "2999-01-01"}, "paid_on"),
        ({"paid_on": "yesterday"}, "paid_on"),
        ({"lot": None}, "lot"),  # neither lot nor purchase
        ({"purchase": "RNOPE"}, "lot"),  # both
        ({"lot": "NOPE"}, "lot"),
    ],
)
def test_a_bad_tax_is_refused_and_nothing_is_kept(api, change, field):
    lot = _purchase(api)["lot"]
    body = {**TAX, "lot": lot, **change}
    body = {k: v for k, v in body.items() if v is not None}
    answer = api("POST", "/taxes", body)
    assert answer.status_code == 422, answer.get_json()
    assert answer.get_json()["field"] == field
    assert api("GET", f"/lots/{lot}/record").get_json()["taxesPaid"] == []


def test_an_unknown_purchase_for_a_tax(api):
    answer = api("POST", "/taxes", {**TAX, "purchase": "RNOPE"})
    assert (answer.status_code, answer.get_json()["field"]) == (422, "purchase")


@pytest.mark.parametrize("who", ["buyer", "buyer_other", "officer"])
def test_only_a_coordinator_records_taxes(api, who):
    purchase = _purchase(api)
    for subject in ({"lot": purchase["lot"]}, {"purchase": purchase["receipt_number"]}):
        assert api("POST", "/taxes", {**TAX, **subject}, as_=who).status_code == 403
    assert api("GET", f"/lots/{purchase['lot']}/record").get_json()["taxesPaid"] == []
