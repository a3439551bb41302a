"""Gold: cooperatives, mine sites, purchases (the miner's receipt) and posted prices."""

from __future__ import annotations

from flask import request
from sqlalchemy import select

from api import auth, lookup
from api.defaults import MAX_SITE_CAPACITY_GRAMS
from api.errors import ApiError
from api.parsing import Body, member_number, member_ref, request_body
from ledger import access, db, gold, sites, units
from ledger.evidence import flags
from ledger.models import ApiToken, Cooperative, Member, PricePost, Purchase, Site
from ledger.money import check_currency, major
from ledger.payouts import by_cause


def cooperative_json(coop: Cooperative) -> dict:
    return {"id": coop.id, "code": coop.code, "name": coop.name}


def site_json(site: Site) -> dict:
    micro = lambda v: None if v is None else units.degrees(v)  # noqa: E731
    return {
        "id": site.id,
        "code": site.code,
        "name": site.name,
        "cooperative": site.cooperative.code,
        # ``status`` is what the site counts as today, after expiry (blue is written
        # ``not_inspected`` there, as before; ``colour`` says blue); ``rated`` what the last
        # inspection said.
        **sites.as_dict(site, gold.local_day()),
        "capacity_grams_per_month": units.grams(site.capacity_mg_per_month),
        "lat": micro(site.lat_micro),
        "lon": micro(site.lon_micro),
    }


def purchase_json(purchase: Purchase, token: ApiToken) -> dict:
    """A purchase; the miner's phone only for a token that sees the miner fully (not a buyer)."""
    miner = {"id": purchase.miner.id, "name": purchase.miner.name}
    if auth.sees_fully(token, purchase.miner):
        miner["phone"] = purchase.miner.phone
    return {
        "id": purchase.id,
        "receipt_number": purchase.receipt_number,
        "total": major(purchase.total, purchase.currency),
        "currency": purchase.currency,
        "lot": purchase.lot.lot_number,
        "miner": miner,
        "site": purchase.site.code,
        "weight_grams": units.grams(purchase.weight_mg),
        "fineness": (
            None
            if purchase.fineness_ppm is None
            else units.fraction(purchase.fineness_ppm).normalize()
        ),
        "price_per_gram": major(purchase.price_per_gram, purchase.currency),
        "purchased_at": purchase.purchased_at,
        "payment": _payment(purchase),
        # Flags never block a purchase, so the buyer is told of them with its answer.
        "flags": [
            {"kind": f.kind.value, "reason": f.reason}
            for f in flags.flags_for_purchase(db.session(), purchase)
        ],
    }


def _payment(purchase: Purchase) -> dict:
    """Cash at the counter, or the mobile-money payout and its state."""
    found = by_cause(db.session(), [f"purchase:{purchase.id}"]).get(f"purchase:{purchase.id}")
    if found is None:
        return {"method": "cash"}
    return {"method": found.method.value, "state": found.state.value, "reference": found.reference}


def price_json(post: PricePost) -> dict:
    return {
        "id": post.id,
        "cooperative": post.cooperative.code,
        "usd_per_gram": major(post.usd_per_gram, "USD"),
        "cdf_per_gram": None if post.cdf_per_gram is None else major(post.cdf_per_gram, "CDF"),
        "posted_at": post.posted_at,
    }


def create_cooperative(token: ApiToken) -> tuple[int, object]:
    body = request_body()
    coop = gold.create_cooperative(db.session(), body.text("code"), body.text("name"))
    return 201, cooperative_json(coop)


def capacity_mg(body: Body) -> int:
    capacity = body.decimal("capacity_grams_per_month", 3)
    if not 0 <= capacity <= MAX_SITE_CAPACITY_GRAMS:
        raise ApiError(
            422,
            "out_of_range",
            f"capacity_grams_per_month is from 0 to {MAX_SITE_CAPACITY_GRAMS}",
            "capacity_grams_per_month",
        )
    return units.milligrams(capacity)


def create_site(token: ApiToken) -> tuple[int, object]:
    body = request_body()
    coop = lookup.cooperative(body.text("cooperative"))
    site = gold.create_site(
        db.session(),
        code=body.text("code"),
        name=body.text("name"),
        cooperative=coop,
        capacity_mg_per_month=capacity_mg(body),
        status=body.choice("status"),
        lat=body.raw("lat"),
        lon=body.raw("lon"),
        inspected_on=body.date("inspected_on", required=False, latest=gold.local_day()),
        deadline=body.date("deadline", required=False),
    )
    return 201, site_json(site)


def _miner(token: ApiToken, body: Body, site: Site) -> Member:
    """The seller: a buyer names only members of their own cooperative (anyone else is
    answered as unknown); on a shared phone, the one of the site's cooperative."""
    actor = auth.actor(token)
    visible = lambda m: access.may_name_seller(actor, m)  # noqa: E731
    in_coop = lambda m: access.cooperative_of(m) == site.cooperative_id  # noqa: E731
    if body.has("miner_id"):
        number = member_number(body.raw("miner_id"), "miner_id")
        return lookup.member(number, "miner_id", visible=visible)
    value = body.raw("miner", required=True)
    return lookup.member(member_ref(value, "miner"), "miner", visible=visible, fits=in_coop)


def record_purchase(token: ApiToken) -> tuple[int, object]:
    body = request_body()
    site = lookup.site(body.text("site"))
    auth.require_cooperative(token, site.cooperative_id)
    miner = _miner(token, body, site)
    currency = check_currency(body.text("currency"))
    purchase = gold.record_purchase(
        db.session(),
        miner=miner,
        site=site,
        weight_mg=gold.parse_grams(body.raw("weight_grams", required=True)),
        price_per_gram=gold.price_to_minor(body.raw("price_per_gram", required=True), currency),
        currency=currency,
        fineness_ppm=gold.parse_fineness(body.raw("fineness")),
        lot_number=body.text("lot", required=False),
        payment=body.choice("payment", ("cash", "mobile_money"), required=False) or "cash",
    )
    return 201, purchase_json(purchase, token)


def show_purchase(token: ApiToken, receipt_number: str) -> tuple[int, object]:
    purchase = db.session().scalar(
        select(Purchase).where(Purchase.receipt_number == receipt_number.strip().upper()[:32])
    )
    if purchase is None:
        raise ApiError(404, "unknown_purchase", "no purchase with that receipt number")
    auth.require_cooperative(token, purchase.cooperative_id)
    return 200, purchase_json(purchase, token)


def post_price(token: ApiToken) -> tuple[int, object]:
    body = request_body()
    coop = lookup.cooperative(body.text("cooperative"))
    usd = gold.price_to_minor(body.raw("usd_per_gram", required=True), "USD", "usd_per_gram")
    cdf = (
        gold.price_to_minor(body.raw("cdf_per_gram"), "CDF", "cdf_per_gram")
        if body.has("cdf_per_gram")
        else None
    )
    post = gold.post_price(db.session(), coop, usd, cdf)
    return 201, price_json(post)


def latest_price(token: ApiToken) -> tuple[int, object]:
    """The cooperative's latest posted price (``?cooperative=``; a buyer's own by default)."""
    code = request.args.get("cooperative")
    if code is None:
        if token.cooperative_id is None:
            raise ApiError(422, "required", "give ?cooperative=CODE", "cooperative")
        coop = db.session().get(Cooperative, token.cooperative_id)
    else:
        coop = lookup.cooperative(code)
    auth.require_cooperative(token, coop.id)
    post = gold.latest_price(db.session(), coop.id)
    if post is None:
        raise ApiError(404, "no_price", f"no price has been posted for {coop.code}")
    return 200, price_json(post)
