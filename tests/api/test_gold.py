"""Cooperatives, sites, purchases and prices through the API."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from ledger import events
from ledger.models import Entry, Lot, PricePost, Purchase, Site, SiteStatus
from tests import factories
from tests.ledger_checks import assert_books_balance


def count(session, model) -> int:
    session.rollback()  # see what other transactions committed
    return session.scalar(select(func.count()).select_from(model))


def purchase_body(world, **changes) -> dict:
    body = {
        "miner": world.miner.phone,
        "site": "SITE1",
        "weight_grams": "60.250",
        "fineness": "0.925",
        "price_per_gram": "95.50",
        "currency": "USD",
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


def test_create_cooperative(api, world):
    answer = api("POST", "/cooperatives", {"code": "coop-aru", "name": "  Coopérative  d'Aru "})
    assert answer.status_code == 201
    assert answer.get_json() | {"id": 0} == {
        "id": 0,
        "code": "COOP-ARU",
        "name": "Coopérative d'Aru",
    }
    again = api("POST", "/cooperatives", {"code": "COOP-ARU", "name": "Other"})
    assert again.status_code == 409
    assert again.get_json()["field"] == "code"


def test_create_site(api, world, session):
    answer = api(
        "POST",
        "/sites",
        {
            "code": "MONGBWALU-7",
            "name": "Puits 7",
            "cooperative": "coopbunia",
            "capacity_grams_per_month": "2500.5",
            "status": "yellow",
            "lat": "1.948123",
            "lon": 30.0321,
        },
    )
    assert answer.status_code == 201, answer.get_json()
    body = answer.get_json()
    assert body["capacity_grams_per_month"] == "2500.500"
    assert (body["lat"], body["lon"], body["status"]) == ("1.948123", "30.032100", "yellow")
    site = session.scalar(select(Site).where(Site.code == "MONGBWALU-7"))
    assert (site.capacity_mg_per_month, site.lat_micro, site.lon_micro) == (
        2_500_500,
        1_948_123,
        30_032_100,
    )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"cooperative": "NOPE"}, "cooperative"),
        ({"status": "purple"}, "status"),
        ({"status": None}, "status"),
        ({"capacity_grams_per_month": -1}, "capacity_grams_per_month"),
        ({"capacity_grams_per_month": "1e9"}, "capacity_grams_per_month"),
        ({"lat": 91}, "lat"),
        ({"lon": "east"}, "lon"),
        ({"code": "SITE1"}, "code"),  # exists
    ],
)
def test_site_refusals(api, world, session, changes, field):
    body = {
        "code": "NEW",
        "name": "New",
        "cooperative": "COOPBUNIA",
        "capacity_grams_per_month": 100,
        "status": "green",
        **changes,
    }
    before = count(session, Site)
    answer = api("POST", "/sites", {k: v for k, v in body.items() if v is not None})
    assert 400 <= answer.status_code < 500
    assert answer.get_json()["field"] == field
    assert count(session, Site) == before


def test_record_purchase(api, world, session):
    answer = api("POST", "/purchases", purchase_body(world), as_="buyer")
    assert answer.status_code == 201, answer.get_json()
    body = answer.get_json()
    # 60.250 g x 95.50 USD = 5,753.875 -> 5,753.88 (half up).
    assert body["total"] == "5753.88"
    assert body["currency"] == "USD"
    assert body["receipt_number"].startswith("R")
    assert body["lot"].startswith("L-SITE1-")
    assert body["weight_grams"] == "60.250"
    assert body["fineness"] == "0.925"
    assert body["miner"]["id"] == world.miner.id
    purchase = session.scalar(select(Purchase))
    assert (purchase.weight_mg, purchase.price_per_gram, purchase.total) == (60250, 9550, 575388)
    assert purchase.fineness_ppm == 925_000
    # The same lot takes the next purchase from the site; naming it explicitly works too.
    second = api("POST", "/purchases", purchase_body(world, lot=body["lot"].lower()), as_="buyer")
    assert second.get_json()["lot"] == body["lot"]
    lot = session.scalar(select(Lot))
    session.refresh(lot)
    assert lot.mass_mg == 2 * 60250
    assert_books_balance(session)
    shown = api("GET", f"/purchases/{body['receipt_number']}", as_="buyer")
    assert shown.get_json() == body


def test_purchase_numbers_as_json_numbers_are_exact(api, world, session):
    raw = (
        f'{{"miner": {world.miner.id}, "site": "SITE1", "weight_grams": 1.005,'
        ' "price_per_gram": 1.00, "currency": "usd"}'
    )
    answer = api("POST", "/purchases", raw=raw, as_="buyer")
    assert answer.status_code == 201, answer.get_json()
    # 1.005 g x 1.00 = 1.005 -> 1.01 (half up); as a float 1.005 is 1.00499... -> 1.00.
    assert answer.get_json()["total"] == "1.01"


def test_purchase_from_a_red_site_is_refused_and_writes_nothing(api, world, session):
    before = (count(session, Purchase), count(session, Entry), count(session, Lot))
    answer = api("POST", "/purchases", purchase_body(world, site="REDSITE"), as_="buyer")
    assert answer.status_code == 422
    assert answer.get_json()["field"] == "site"
    assert answer.get_json()["code"] == "red_site"
    assert (count(session, Purchase), count(session, Entry), count(session, Lot)) == before


def test_purchase_names_the_miner_by_id(api, world):
    by_id = api("POST", "/purchases", purchase_body(world, miner=None, miner_id=world.miner.id))
    assert by_id.status_code == 201
    assert by_id.get_json()["miner"]["id"] == world.miner.id
    by_ref = api("POST", "/purchases", purchase_body(world, miner=world.miner.id))
    assert by_ref.get_json()["miner"]["id"] == world.miner.id


def test_shared_phone_asks_for_member_id(api, world, session):
    phone = world.miner.phone
    sister = factories.member(session, number=phone, name="Soeur", coop=world.coop)
    session.commit()
    ambiguous = api("POST", "/purchases", purchase_body(world), as_="buyer")
    assert ambiguous.status_code == 409
    assert ambiguous.get_json()["code"] == "ambiguous_phone"
    assert "member_id" in ambiguous.get_json()["error"]
    listed = api("GET", "/members", query={"phone": phone}, as_="buyer").get_json()["members"]
    assert sorted(m["id"] for m in listed) == sorted([world.miner.id, sister.id])
    chosen = api("POST", "/purchases", purchase_body(world, miner=None, miner_id=sister.id))
    assert chosen.status_code == 201
    assert chosen.get_json()["miner"]["name"] == "Soeur"


def test_shared_phone_narrowed_by_cooperative(api, world, session):
    # The other member on the phone belongs to another cooperative: the phone is enough.
    factories.member(session, number=world.miner.phone, name="Cousin", coop=world.other_coop)
    session.commit()
    answer = api("POST", "/purchases", purchase_body(world), as_="buyer")
    assert answer.status_code == 201
    assert answer.get_json()["miner"]["id"] == world.miner.id


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"miner": "0899999999"}, "miner"),  # nobody has that phone
        ({"miner": 99999}, "miner"),
        ({"miner": None}, "miner"),
        ({"miner": None, "miner_id": "x"}, "miner_id"),
        ({"site": "NOPE"}, "site"),
        ({"weight_grams": 0}, "weight_grams"),
        ({"weight_grams": "-3"}, "weight_grams"),
        ({"weight_grams": "10000.001"}, "weight_grams"),  # over 10 kg
        ({"weight_grams": "1.0001"}, "weight_grams"),  # below a milligram
        ({"fineness": "1.2"}, "fineness"),
        ({"price_per_gram": "0"}, "price_per_gram"),
        ({"price_per_gram": "5000"}, "price_per_gram"),  # far above any gold price
        ({"price_per_gram": "95.555"}, "price_per_gram"),
        ({"currency": "EUR"}, "currency"),
        ({"currency": 1}, "currency"),
        ({"lot": "L-NOPE"}, "lot"),
        ({"lot": "x" * 33}, "lot"),
        ({"buyer": "me"}, "buyer"),  # unknown field
    ],
)
def test_purchase_refusals(api, world, session, changes, field):
    before = (count(session, Purchase), count(session, Entry))
    answer = api("POST", "/purchases", purchase_body(world, **changes), as_="buyer")
    assert answer.status_code in (404, 409, 422), answer.get_json()
    assert answer.get_json()["field"] == field, answer.get_json()
    assert (count(session, Purchase), count(session, Entry)) == before


def test_unknown_receipt(api, world):
    assert api("GET", "/purchases/R000000-XXXXX").status_code == 404


def test_post_price(api, world, session):
    seen = []
    events.subscribe(events.PRICE_POSTED, seen_handler := lambda s, post: seen.append(post.id))
    try:
        answer = api(
            "POST",
            "/prices",
            {"cooperative": "COOPBUNIA", "usd_per_gram": 95.5, "cdf_per_gram": "270000"},
        )
    finally:
        events._handlers[events.PRICE_POSTED].remove(seen_handler)
    assert answer.status_code == 201
    body = answer.get_json()
    assert (body["usd_per_gram"], body["cdf_per_gram"], body["cooperative"]) == (
        "95.50",
        "270000.00",
        "COOPBUNIA",
    )
    post = session.scalar(select(PricePost))
    assert (post.usd_per_gram, post.cdf_per_gram) == (9550, 27_000_000)
    assert seen == [post.id]  # the broadcast hook runs on the API's price post
    latest = api("GET", "/prices", query={"cooperative": "coopbunia"}).get_json()
    assert latest["id"] == post.id
    assert Decimal(latest["usd_per_gram"]) == Decimal("95.5")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"usd_per_gram": "95"}, "cooperative"),
        ({"cooperative": "NOPE", "usd_per_gram": "95"}, "cooperative"),
        ({"cooperative": "COOPBUNIA"}, "usd_per_gram"),
        ({"cooperative": "COOPBUNIA", "usd_per_gram": "-95"}, "usd_per_gram"),
        ({"cooperative": "COOPBUNIA", "usd_per_gram": "1e400"}, "usd_per_gram"),
        ({"cooperative": "COOPBUNIA", "usd_per_gram": "95", "cdf_per_gram": 0}, "cdf_per_gram"),
        ({"cooperative": "COOPBUNIA", "usd_per_gram": [95]}, "usd_per_gram"),
    ],
)
def test_price_refusals(api, world, session, body, field):
    answer = api("POST", "/prices", body)
    assert answer.status_code == 422
    assert answer.get_json()["field"] == field
    assert count(session, PricePost) == 0


def test_a_purchase_answer_tells_the_buyer_its_flags(api, world, session):
    world.site.status = SiteStatus.NOT_INSPECTED
    world.miner.id_document = "CD-ITU-00077"
    session.commit()
    answer = api("POST", "/purchases", purchase_body(world), as_="buyer")
    assert answer.status_code == 201
    kinds = [f["kind"] for f in answer.get_json()["flags"]]
    assert kinds == ["site_status"]
    assert "not" in answer.get_json()["flags"][0]["reason"].lower()
    world.site.status = SiteStatus.GREEN
    session.commit()
    clean = api("POST", "/purchases", purchase_body(world), as_="buyer")
    assert clean.get_json()["flags"] == []
