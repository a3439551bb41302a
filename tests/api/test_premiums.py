"""Premiums through the API: a plan, its approval by a coordinator, each miner's SMS."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import func, select

from api.tokens import create_token
from ledger import gold
from ledger.models import (
    Message,
    MessageKind,
    Payout,
    PayoutMethod,
    PayoutState,
    Premium,
    utcnow,
)
from ledger.premiums import reconcile
from payouts import jobs
from tests import factories
from tests.ledger_checks import assert_books_balance


def _sales(session, world, *grams_and_fineness):
    miners = [world.miner] + [
        factories.member(session, roles="miner", coop=world.coop, site=world.site, language=lang)
        for lang in ("fr", "ln", "en")
    ]
    lot = None
    for miner, (grams, fineness) in zip(miners, grams_and_fineness, strict=False):
        purchase = gold.record_purchase(
            session,
            miner=miner,
            site=world.site,
            weight_mg=gold.parse_grams(grams),
            price_per_gram=9550,
            currency="USD",
            fineness_ppm=gold.parse_fineness(fineness),
        )
        lot = purchase.lot.lot_number
    session.commit()
    return miners, lot


def _body(lot, **changes):
    body = {
        "cooperative": "COOPBUNIA",
        "lots": [lot],
        "amount": "250.00",
        "currency": "USD",
        "basis": "fine_grams",
        "community_share": "0.10",
        "community_group": "VSLA1",
    }
    return {k: v for k, v in (body | changes).items() if v is not None}


def test_plan_then_approve_texts_every_miner(api, world, session):
    miners, lot = _sales(session, world, ("10", "0.900"), ("20", "0.900"), ("0.010", None))
    planned = api("POST", "/premiums", _body(lot), headers={"Idempotency-Key": "p-1"})
    assert planned.status_code == 201, planned.get_json()
    plan = planned.get_json()
    assert plan["status"] == "planned" and plan["community"]["amount"] == "25.00"
    assert plan["community"]["group"] == "VSLA1"
    lines = {line["miner"]["id"]: line for line in plan["lines"]}
    # Fine gold 9 g, 18 g and 0.009 g (unknown fineness: the average, 0.9) share 225.00 $:
    # 74.975.., 149.950.., 0.074..: floors 74.97, 149.95, 0.07, the cent left to the largest
    # remainder. Exact to the cent.
    assert [lines[m.id]["share"] for m in miners[:3]] == ["74.98", "149.95", "0.07"]
    assert sum(Decimal(line["share"]) for line in lines.values()) == Decimal("225.00")
    assert lines[miners[2].id]["unknown_fineness_grams"] == "0.010"
    again = api("POST", "/premiums", _body(lot), headers={"Idempotency-Key": "p-1"})
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert session.scalar(select(Premium.id).where(Premium.id != plan["id"])) is None

    approved = api("POST", f"/premiums/{plan['id']}/approve")
    assert approved.status_code == 200, approved.get_json()
    body = approved.get_json()
    assert body["status"] == "approved" and body["approved_by"] == "API: coordinator"
    states = {line["miner"]["id"]: line["state"] for line in body["lines"]}
    assert states == {miners[0].id: "payable", miners[1].id: "payable", miners[2].id: "carried"}
    assert body["lines"][0]["payout"]["method"] == "cash"
    texts = {
        m.member_id: m.body
        for m in session.scalars(select(Message).where(Message.kind == MessageKind.PREMIUM))
    }
    assert set(texts) == {m.id for m in miners[:3]}
    assert "74,98 $" in texts[miners[0].id] and lot in texts[miners[0].id]  # Swahili
    assert "149,95 $" in texts[miners[1].id] and "espèces" in texts[miners[1].id]  # French
    assert "0,50 $" in texts[miners[2].id]  # carried: below the minimum, in Lingala
    for text in texts.values():
        assert len(text) <= 160
    assert api("POST", f"/premiums/{plan['id']}/approve").status_code == 409
    assert_books_balance(session)


def test_a_buyer_reads_but_another_cooperative_is_unknown(api, world, session):
    _, lot = _sales(session, world, ("10", "0.900"))
    premium_id = api("POST", "/premiums", _body(lot)).get_json()["id"]
    mine = api("GET", f"/premiums/{premium_id}", as_="buyer").get_json()
    assert "phone" not in mine["lines"][0]["miner"]
    for path in (f"/premiums/{premium_id}", "/premiums/999999", "/premiums/x%27"):
        answer = api("GET", path, as_="buyer_other")
        assert answer.status_code == 404 and answer.get_json()["code"] == "unknown_premium"
    assert api("POST", f"/premiums/{premium_id}/approve", as_="buyer").status_code == 403


def test_the_creator_may_not_approve_alone_with_two_coordinators(api, world, session):
    for _ in range(2):
        factories.member(session, coop=world.coop, roles="coordinator")
    _, lot = _sales(session, world, ("10", "0.900"))
    premium_id = api("POST", "/premiums", _body(lot)).get_json()["id"]
    refused = api("POST", f"/premiums/{premium_id}/approve")
    assert refused.status_code == 422 and refused.get_json()["code"] == "second_approver"
    assert session.scalar(select(Payout.id)) is None
    assert session.scalar(select(Message.id).where(Message.kind == MessageKind.PREMIUM)) is None
    _, other = create_token(session, "Second coordinator", "coordinator")
    session.commit()
    answer = api(
        "POST", f"/premiums/{premium_id}/approve", headers={"Authorization": f"Bearer {other}"}
    )
    assert answer.status_code == 200, answer.get_json()


def test_bad_bodies_are_clear_and_write_nothing(api, world, session):
    _, lot = _sales(session, world, ("10", "0.900"))
    cases = [
        (_body(lot, lots=None), "lots"),  # neither lots nor period
        (_body(lot, period={"from": "2025-01-01", "to": "2025-01-31"}), "lots"),  # both
        (_body(lot, lots="L-1"), "lots"),
        (_body(lot, lots=["NOPE"]), "lots"),
        (_body(lot, basis="carats"), "basis"),
        (_body(lot, amount="-1"), "amount"),
        (_body(lot, amount="1.001"), "amount"),
        (_body(lot, community_share="0.75"), "community_share"),
        (_body(lot, community_group="NOPE"), "community_group"),
        (_body(lot, method="gold"), "method"),
        (_body(lot, lots=None, period={"from": "2025-02-01"}), "period.to"),
        (_body(lot, lots=None, period={"from": "2025-02-01", "to": "9999-01-01"}), "period.to"),
        (_body(lot, extra=1), "extra"),
    ]
    for body, field in cases:
        answer = api("POST", "/premiums", body)
        assert answer.status_code == 422, (body, answer.get_json())
        assert answer.get_json().get("field") == field, (body, answer.get_json())
    other_group = factories.group(session, world.other_coop, "VSLAM")
    session.commit()
    answer = api("POST", "/premiums", _body(lot, community_group=other_group.code))
    assert answer.status_code == 422
    assert session.scalar(select(Premium.id)) is None


def test_reconciliation_totals_per_state_and_method_and_stale_unknown_flags(api, world, session):
    _, lot = _sales(session, world, ("10", "0.900"), ("30", "0.900"))
    premium_id = api("POST", "/premiums", _body(lot, community_share=None)).get_json()["id"]
    approved = api("POST", f"/premiums/{premium_id}/approve").get_json()
    assert [line["payout"]["state"] for line in approved["lines"]] == ["pending", "pending"]
    first, second = session.scalars(select(Payout).order_by(Payout.id)).all()
    first.state = PayoutState.PAID  # handed over
    first.paid_at = utcnow()
    second.method, second.state = PayoutMethod.MOBILE_MONEY, PayoutState.UNKNOWN
    second.unknown_since = utcnow() - dt.timedelta(hours=30)
    assert reconcile.flag_stale_unknown(session, utcnow(), 24) == 1
    assert reconcile.flag_stale_unknown(session, utcnow(), 24) == 0  # one flag per payout
    session.commit()
    body = api("GET", "/payouts").get_json()
    assert body["totals"] == [
        {"state": "paid", "method": "cash", "currency": "USD", "count": 1, "amount": "62.50"},
        {"state": "unknown", "method": "mobile_money", "currency": "USD", "count": 1,
         "amount": "187.50"},
    ]  # fmt: skip
    assert [p["unknown_over_a_day"] for p in body["payouts"]] == [True, False]
    (report,) = body["premiums"]
    assert (report["miners_total"], report["due"], report["paid"]) == ("250.00", "250.00", "62.50")
    only = api("GET", "/payouts", query={"state": "unknown"}).get_json()
    assert [p["state"] for p in only["payouts"]] == ["unknown"]
    assert api("GET", "/payouts", query={"state": "lost"}).status_code == 422
    flags = api("GET", "/flags", query={"kind": "payout_unknown"}).get_json()["flags"]
    assert len(flags) == 1 and second.reference in flags[0]["reason"]
    other = api("GET", "/payouts", as_="buyer_other").get_json()
    assert other["totals"] == [] and other["payouts"] == []
    assert (
        api("GET", "/payouts", query={"cooperative": "COOPBUNIA"}, as_="buyer_other").status_code
        == 403
    )


def test_a_purchase_paid_by_mobile_money_has_its_payout_and_says_so(api, world, session):
    body = {
        "miner": world.miner.phone,
        "site": "SITE1",
        "weight_grams": "2",
        "price_per_gram": "95.50",
        "currency": "USD",
        "payment": "mobile_money",
    }
    answer = api("POST", "/purchases", body)
    assert answer.status_code == 201, answer.get_json()
    paid = answer.get_json()
    assert paid["payment"]["method"] == "mobile_money" and paid["payment"]["state"] == "pending"
    payout = session.scalar(select(Payout))
    assert (payout.amount, payout.cause) == (191_00, f"purchase:{paid['id']}")
    receipt = session.scalar(select(Message.body).where(Message.kind == MessageKind.RECEIPT))
    assert "mobile money" in receipt  # Swahili: "Imelipwa kwa mobile money."
    cash = api("POST", "/purchases", {**body, "payment": None}).get_json()
    assert cash["payment"] == {"method": "cash"}
    assert api("POST", "/purchases", {**body, "payment": "gold"}).status_code == 422
    assert session.scalar(select(func.count()).select_from(Payout)) == 1
    jobs.scan_payouts()  # the console gateway pays it
    session.rollback()
    shown = api("GET", f"/purchases/{paid['receipt_number']}").get_json()
    assert shown["payment"]["state"] == "paid"


def test_premium_report_paid_against_approved_and_payouts_by_state(api, world, session):
    """``GET /premiums/report``: per approved premium, miners and amounts approved, paid and
    carried, and payouts counted by state; a buyer of another cooperative sees nothing."""
    _, lot = _sales(session, world, ("10", "0.900"), ("30", "0.900"), ("0.010", "0.900"))
    planned = api("POST", "/premiums", _body(lot, community_share=None)).get_json()["id"]
    assert api("GET", "/premiums/report").get_json()["premiums"] == []  # only approved ones
    api("POST", f"/premiums/{planned}/approve")
    first, second = session.scalars(select(Payout).order_by(Payout.id)).all()
    first.state, first.paid_at = PayoutState.PAID, utcnow()
    second.state = PayoutState.FAILED
    session.commit()
    body = api("GET", "/premiums/report").get_json()
    (row,) = body["premiums"]
    assert row["number"] == f"P-{planned}" and row["cooperative"] == "COOPBUNIA"
    # 250 $ over 9, 27 and 0.009 g of fine gold: 62.48, 187.45 and 0.06 (carried), the cent
    # left to the largest remainder.
    assert row["amount"] == "250.00" and row["miners_total"] == "250.00"
    assert row["approved"]["miners"] == 2 and row["paid"]["miners"] == 1
    assert Decimal(row["approved"]["amount"]) + Decimal(row["carried"]["amount"]) == Decimal(
        "250.00"
    )
    assert row["paid"]["amount"] == str(Decimal(row["approved"]["amount"]) - Decimal(
        next(p["amount"] for p in api("GET", "/payouts").get_json()["payouts"]
             if p["state"] == "failed")
    ))  # fmt: skip
    assert row["carried"]["miners"] == 1
    assert row["payouts"] == {"pending": 0, "submitted": 0, "paid": 1, "failed": 1, "unknown": 0}
    assert row["fully_paid"] is False
    assert api("GET", "/premiums/report", query={"unpaid": "true"}).get_json()["premiums"]
    mine = api("GET", "/premiums/report", as_="buyer").get_json()["premiums"]
    assert [p["id"] for p in mine] == [planned]
    # Scope: another cooperative's buyer sees nothing, and may not ask for this one.
    assert api("GET", "/premiums/report", as_="buyer_other").get_json()["premiums"] == []
    query = {"cooperative": "COOPBUNIA"}
    assert api("GET", "/premiums/report", query=query, as_="buyer_other").status_code == 403
    assert api("GET", "/premiums/report", as_="officer").status_code == 403
    assert api("GET", "/premiums/report", query={"unpaid": "maybe"}).status_code == 422
    assert api("GET", "/premiums/report", query={"limit": "0"}).status_code == 422
    # Everyone paid: fully paid, and gone from the unpaid list.
    second.state, second.paid_at = PayoutState.PAID, utcnow()
    for line in session.scalar(select(Premium)).lines:
        line.state = "paid" if line.state == "payable" else line.state
    session.commit()
    (row,) = api("GET", "/premiums/report").get_json()["premiums"]
    assert row["fully_paid"] is True and row["paid"] == row["approved"]
    assert api("GET", "/premiums/report", query={"unpaid": "true"}).get_json()["premiums"] == []
