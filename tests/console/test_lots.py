"""Lots in the console: a coordinator combines the lots ticked into a new lot, seals it under
a tag and records that it shipped, each step in the custody log with who did it; the lot's
MD.12 record prints. A buyer reads; nobody else sees; a bad form writes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from ledger.evidence import chain
from ledger.models import Lot, LotEvent, LotStatus, PartnerKind
from tests.console.conftest import csrf


def events(session) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(LotEvent))


def lot_by(session, number: str) -> Lot:
    session.expire_all()
    return session.scalar(select(Lot).where(Lot.lot_number == number))


def combine(client, numbers, **data):
    page = client.get("/console/lots").text
    return client.post("/console/lots", data={"csrf_token": csrf(page), "inputs": numbers, **data})


def act(client, number: str, action: str, **data):
    page = client.get(f"/console/lots/{number}").text
    return client.post(f"/console/lots/{number}/{action}", data={"csrf_token": csrf(page), **data})


def exporter(session, kind=PartnerKind.EXPORTER):
    made = chain.create_partner(session, kind, name="Comptoir Ituri", licence="E-7", country="CD")
    session.commit()
    return made


def test_combine_seal_ship_and_print(as_, session, world, gold):
    client = as_("coordinator")
    comptoir = exporter(session)
    numbers = [lot.lot_number for lot in gold.lots]
    listed = client.get("/console/lots").text
    assert all(f'value="{n}"' in listed for n in numbers)
    assert gold.other_lot.lot_number not in listed
    answer = combine(client, numbers, operation="processing", mass_grams="4,9", fineness="")
    assert answer.status_code == 302
    made = session.scalar(select(Lot).order_by(Lot.id.desc()))
    assert answer.headers["Location"].endswith(f"/console/lots/{made.lot_number}?saved=1")
    assert made.mass_mg == 4_900 and made.status == LotStatus.OPEN
    assert {lot_by(session, n).status for n in numbers} == {LotStatus.COMBINED}
    coordinator = f"console:{world.staff['coordinator'].id}"
    sealed = act(client, made.lot_number, "seal", tag="saesscam-0042", issuer="SAESSCAM")
    assert sealed.status_code == 302
    assert lot_by(session, made.lot_number).tag == "SAESSCAM-0042"
    assert "Comptoir Ituri (E-7, CD)" in client.get(f"/console/lots/{made.lot_number}").text
    shipping = {"exporter": str(comptoir.id), "export_certificate": "CEEC-2027-9"}
    answer = act(client, made.lot_number, "ship", destination="Kampala", **shipping)
    assert answer.status_code == 302
    shipped = lot_by(session, made.lot_number)
    assert shipped.status == LotStatus.SHIPPED
    assert (shipped.exporter_id, shipped.export_certificate) == (comptoir.id, "CEEC-2027-9")
    log = session.scalars(select(LotEvent).where(LotEvent.lot_id == shipped.id)).all()
    assert [e.action.value for e in log] == ["created", "sealed", "shipped"]
    assert {e.recorded_by for e in log} == {coordinator}
    page = client.get(f"/console/lots/{made.lot_number}").text
    assert world.staff["coordinator"].name in page and "Kampala" in page
    record = client.get(f"/console/lots/{made.lot_number}/record")
    assert record.status_code == 200
    assert "SAESSCAM-0042" in record.text and numbers[0] in record.text
    assert "lotNumber" in record.text and "dateShipped" in record.text
    assert "Comptoir Ituri" in record.text and "CEEC-2027-9" in record.text


@pytest.mark.parametrize("given", ["", "999999", "x", "²", "refiner"])  # ² is a digit, not 0-9
def test_a_lot_ships_to_a_known_exporter_only(as_, session, world, gold, given):
    client = as_("coordinator")
    exporter(session)
    refiner = exporter(session, PartnerKind.REFINER)
    number = gold.lots[0].lot_number
    assert act(client, number, "seal", tag="T-9").status_code == 302
    before = events(session)
    choice = str(refiner.id) if given == "refiner" else given
    answer = act(client, number, "ship", exporter=choice, destination="Kampala")
    assert answer.status_code == 422 and 'aria-invalid="true"' in answer.text
    assert events(session) == before
    assert lot_by(session, number).status == LotStatus.SEALED


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"inputs": []}, "inputs"),
        ({"inputs": ["NOSUCH"]}, "inputs"),
        ({"inputs": ["\x00"]}, "inputs"),
        ({"operation": "smelting"}, "operation"),
        ({"mass_grams": "99"}, "mass_grams"),  # more than went in
        ({"mass_grams": "-1"}, "mass_grams"),
        ({"mass_grams": "abc"}, "mass_grams"),
        ({"fineness": "1.5"}, "fineness"),
        ({"lot_number": "bad number!"}, "lot_number"),
    ],
)
def test_a_bad_combination_is_marked_and_writes_nothing(as_, session, world, gold, data, field):
    client = as_("coordinator")
    lots_before = session.scalar(select(func.count()).select_from(Lot))
    before = events(session)
    body = {"inputs": [lot.lot_number for lot in gold.lots], **data}
    answer = combine(client, body.pop("inputs"), **body)
    assert answer.status_code == 422
    assert 'class="error"' in answer.text
    assert events(session) == before
    assert session.scalar(select(func.count()).select_from(Lot)) == lots_before
    assert {lot_by(session, lot.lot_number).status for lot in gold.lots} == {LotStatus.OPEN}


def test_another_cooperatives_lot_is_not_combined(as_, session, world, gold):
    before = events(session)
    answer = combine(as_("coordinator"), [gold.lots[0].lot_number, gold.other_lot.lot_number])
    assert answer.status_code == 422
    assert events(session) == before
    assert lot_by(session, gold.other_lot.lot_number).status == LotStatus.OPEN


@pytest.mark.parametrize(
    ("action", "data"),
    [("seal", {"tag": ""}), ("seal", {"tag": "x" * 65}), ("ship", {"destination": "Kampala"})],
)
def test_bad_seal_or_ship_writes_nothing(as_, session, world, gold, action, data):
    before = events(session)
    answer = act(as_("coordinator"), gold.lots[0].lot_number, action, **data)
    assert answer.status_code == 422 and 'class="error"' in answer.text
    assert events(session) == before
    assert lot_by(session, gold.lots[0].lot_number).status == LotStatus.OPEN


def test_a_tag_is_used_once(as_, session, world, gold):
    client = as_("coordinator")
    assert act(client, gold.lots[0].lot_number, "seal", tag="T-1").status_code == 302
    before = events(session)
    assert act(client, gold.lots[1].lot_number, "seal", tag="t-1").status_code == 422
    assert events(session) == before


@pytest.mark.parametrize("who", ["buyer", "buyer_other", "officer", "officer_other"])
def test_only_its_coordinator_handles_a_lot(as_, session, world, gold, who):
    client = as_(who)
    number = gold.lots[0].lot_number
    expected = 200 if who == "buyer" else 404
    assert client.get(f"/console/lots/{number}").status_code == expected
    assert client.get(f"/console/lots/{number}/record").status_code == expected
    assert 'name="tag"' not in client.get(f"/console/lots/{number}").text
    token = csrf(client.get("/console/").text)
    before = events(session)
    for path, data in (
        ("/console/lots", {"inputs": [lot.lot_number for lot in gold.lots]}),
        (f"/console/lots/{number}/seal", {"tag": "T-9"}),
        (f"/console/lots/{number}/ship", {}),
    ):
        assert client.post(path, data={"csrf_token": token, **data}).status_code == 404
    assert events(session) == before


def test_without_its_token_nothing_is_written(as_, session, world, gold):
    client = as_("coordinator")
    before = events(session)
    number = gold.lots[0].lot_number
    assert client.post("/console/lots", data={"inputs": [number]}).status_code == 400
    assert client.post(f"/console/lots/{number}/seal", data={"tag": "T-2"}).status_code == 400
    assert events(session) == before


def test_the_other_coordinator_never_sees_the_lot(as_, world, gold):
    assert as_("coordinator").get(f"/console/lots/{gold.other_lot.lot_number}").status_code == 404
