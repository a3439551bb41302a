"""Every route against every role and scope: a coordinator does everything, an officer only
their group, a buyer only purchases and prices of their cooperative. Wrong scope: 403, but a
member outside the scope is unknown (404), as if they did not exist."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from api.routes import ROUTES
from ledger import closing, gold, incidents
from ledger.evidence import chain, flags, lots
from ledger.meetings import MeetingRecord as R
from ledger.meetings import record_meeting
from ledger.models import IncidentChannel, Loan, Lot, Payout, Premium
from ledger.premiums.approve import approve
from ledger.premiums.plan import plan_premium
from tests import factories
from tests.api.conftest import ROLES

C, OF, OO, B, BO = ROLES


@dataclass
class Case:
    method: str
    rule: str
    path: Callable
    body: Callable | None
    allowed: dict[str, int]  # role -> success status; the other roles get 403
    setup: Callable | None = None
    content_type: str = "application/json"
    #: Roles answered as if the member did not exist (404, no 403 to tell them apart).
    unknown_to: tuple[str, ...] = ()


def phone0(w):
    return w.members[0].phone


def _purchase(session, w):
    return gold.record_purchase(
        session, miner=w.miner, site=w.site, weight_mg=1000, price_per_gram=9550, currency="USD"
    ).receipt_number


def _flag(session, w):
    gold.post_price(session, w.coop, 100_00)
    purchase = gold.record_purchase(
        session, miner=w.miner, site=w.site, weight_mg=1000, price_per_gram=50_00, currency="USD"
    )
    session.flush()
    return flags.flags_for_purchase(session, purchase)[0].id


def _incident(session, w):
    return incidents.report(
        session,
        text="armed men at the pit",
        category="armed_group",
        channel=IncidentChannel.SMS,
        site=w.site,
        phone=w.miner.phone,
    ).id


def _meeting(session, w, counted: bool = False) -> int:
    """A meeting of VSLA1 where the first member bought 5 shares (and borrowed 1,000 FC)."""
    a = w.members[0]
    meeting = record_meeting(
        session, w.group, MONDAY, [a], [R(a, shares=5, loan=1_000_00, loan_term_months=1)]
    )
    if counted:
        closing.count_cash(session, meeting, 4_000_00, 0)
    return meeting.id


def _loan(session, w) -> int:
    _meeting(session, w)
    return session.scalar(select(Loan.id).where(Loan.member_id == w.members[0].id))


MONDAY = dt.date(2025, 1, 6)
GROUP = (C, OF)  # the group's officer or a coordinator; the other group's officer: unknown


def year_case(method, rule, path, body, status, setup=None) -> Case:
    return Case(
        method, rule, path, body, dict.fromkeys(GROUP, status), setup=setup, unknown_to=(OO,)
    )


CASES = {
    "group rules": year_case(
        "PATCH",
        "/groups/<code>",
        lambda w, s: "/groups/VSLA1",
        lambda w: {"meeting_time": "10:00"},
        200,
    ),
    "meeting view": year_case(
        "GET",
        "/groups/<code>/meetings/<meeting_id>",
        lambda w, s: f"/groups/VSLA1/meetings/{s}",
        None,
        200,
        _meeting,
    ),
    "reverse": year_case(
        "POST",
        "/groups/<code>/meetings/<meeting_id>/records/<member_id>/reverse",
        lambda w, s: f"/groups/VSLA1/meetings/{s}/records/{w.members[0].id}/reverse",
        lambda w: {"reason": "typo"},
        201,
        _meeting,
    ),
    "cash count": year_case(
        "POST",
        "/groups/<code>/meetings/<meeting_id>/cash-count",
        lambda w, s: f"/groups/VSLA1/meetings/{s}/cash-count",
        lambda w: {"loan_fund": 4000, "social_fund": 0},
        201,
        _meeting,
    ),
    "close": year_case(
        "POST",
        "/groups/<code>/meetings/<meeting_id>/close",
        lambda w, s: f"/groups/VSLA1/meetings/{s}/close",
        lambda w: {},
        201,
        lambda session, w: _meeting(session, w, counted=True),
    ),
    "leave": year_case(
        "POST",
        "/groups/<code>/members/<member_id>/leave",
        lambda w, s: f"/groups/VSLA1/members/{w.members[2].id}/leave",
        lambda w: {"date": "2025-01-07", "rule": "savings_only"},
        201,
    ),
    "join": year_case(
        "POST",
        "/groups/<code>/members/<member_id>/join",
        lambda w, s: f"/groups/VSLA1/members/{w.members[1].id}/join",
        lambda w: {"date": "2025-01-07"},
        201,
    ),
    "expense": year_case(
        "POST",
        "/groups/<code>/expenses",
        lambda w, s: "/groups/VSLA1/expenses",
        lambda w: {"amount": 100, "memo": "pens", "date": "2025-01-06"},
        201,
        _meeting,
    ),
    "share-out preview": year_case(
        "GET", "/groups/<code>/share-out", lambda w, s: "/groups/VSLA1/share-out", None, 200
    ),
    "group flags": year_case(
        "GET", "/groups/<code>/flags", lambda w, s: "/groups/VSLA1/flags", None, 200
    ),
    "write-off": year_case(
        "POST",
        "/loans/<loan_id>/write-off",
        lambda w, s: f"/loans/{s}/write-off",
        lambda w: {"reason": "gone", "date": "2025-01-08"},
        201,
        _loan,
    ),
    "cooperative": Case(
        "POST",
        "/cooperatives",
        lambda w, s: "/cooperatives",
        lambda w: {"code": "COOP3", "name": "Coop 3"},
        {C: 201},
    ),
    "site": Case(
        "POST",
        "/sites",
        lambda w, s: "/sites",
        lambda w: {
            "code": "SITE9",
            "name": "Mine",
            "cooperative": "COOPBUNIA",
            "capacity_grams_per_month": 500,
            "status": "green",
        },
        {C: 201},
    ),
    "group": Case(
        "POST",
        "/groups",
        lambda w, s: "/groups",
        lambda w: {
            "code": "VSLA9",
            "name": "G9",
            "cooperative": "COOPBUNIA",
            "currency": "CDF",
            "share_value": 1000,
            "social_fund_contribution": 200,
            "service_charge_rate": "0.10",
            "meeting_weekday": 2,
            "meeting_time": "15:00",
            "cycle_start": "2025-01-01",
        },
        {C: 201},
    ),
    "group show": Case(
        "GET",
        "/groups/<code>",
        lambda w, s: "/groups/VSLA1",
        None,
        {C: 200, OF: 200},
    ),
    "meeting": Case(
        "POST",
        "/groups/<code>/meetings",
        lambda w, s: "/groups/VSLA1/meetings",
        lambda w: {"date": "2025-01-06", "records": [{"phone": phone0(w), "shares": 1}]},
        {C: 201, OF: 201},
    ),
    "share-out": Case(
        "POST",
        "/groups/<code>/share-out",
        lambda w, s: "/groups/VSLA1/share-out",
        lambda w: {"date": dt.date.today().isoformat()},
        {C: 201, OF: 201},
    ),
    "member create": Case(
        "POST",
        "/members",
        lambda w, s: "/members",
        lambda w: {"phone": "0812345678", "name": "Furaha", "gender": "F", "group": "VSLA1"},
        {C: 201, OF: 201},
    ),
    "member list": Case(
        "GET",
        "/members",
        lambda w, s: f"/members?phone={phone0(w).replace('+', '%2B')}",
        None,
        {C: 200, OF: 200, OO: 200, B: 200, BO: 200},
    ),
    "member import": Case(
        "POST",
        "/members/import",
        lambda w, s: "/members/import",
        lambda w: "phone,name,gender,language,group\n0812345678,Furaha,F,sw,VSLA1\n",
        {C: 200},
        content_type="text/csv",
    ),
    "member show": Case(
        "GET",
        "/members/<phone>",
        lambda w, s: f"/members/{phone0(w)}",
        None,
        {C: 200, OF: 200},
        unknown_to=(OO,),
    ),
    "member patch": Case(
        "PATCH",
        "/members/<phone>",
        lambda w, s: f"/members/{phone0(w)}",
        lambda w: {"language": "fr"},
        {C: 200, OF: 200},
        unknown_to=(OO,),
    ),
    "statement": Case(
        "GET",
        "/members/<phone>/statement",
        lambda w, s: f"/members/{phone0(w)}/statement",
        None,
        {C: 200, OF: 200},
        unknown_to=(OO,),
    ),
    "purchase": Case(
        "POST",
        "/purchases",
        lambda w, s: "/purchases",
        lambda w: {
            "miner": w.miner.phone,
            "site": "SITE1",
            "weight_grams": "1.5",
            "price_per_gram": "95.50",
            "currency": "USD",
        },
        {C: 201, B: 201},
    ),
    "purchase show": Case(
        "GET",
        "/purchases/<receipt_number>",
        lambda w, s: f"/purchases/{s}",
        None,
        {C: 200, B: 200},
        setup=_purchase,
    ),
    "price": Case(
        "POST",
        "/prices",
        lambda w, s: "/prices",
        lambda w: {"cooperative": "COOPBUNIA", "usd_per_gram": "95.50"},
        {C: 201},
    ),
    "price show": Case(
        "GET",
        "/prices",
        lambda w, s: "/prices?cooperative=COOPBUNIA",
        None,
        {C: 200, B: 200},
        setup=lambda session, w: gold.post_price(session, w.coop, 9550),
    ),
    "lot lineage": Case(
        "GET",
        "/lots/<lot_number>",
        lambda w, s: f"/lots/{s}",
        None,
        {C: 200, B: 200},
        setup=lambda session, w: (
            gold.record_purchase(
                session,
                miner=w.miner,
                site=w.site,
                weight_mg=1000,
                price_per_gram=9550,
                currency="USD",
            ).lot.lot_number
        ),
    ),
    "flags": Case("GET", "/flags", lambda w, s: "/flags", None, {C: 200, B: 200, BO: 200}),
    "lot record": Case(
        "GET",
        "/lots/<lot_number>/record",
        lambda w, s: f"/lots/{s}/record",
        None,
        {C: 200, B: 200},
        setup=lambda session, w: (
            gold.record_purchase(
                session,
                miner=w.miner,
                site=w.site,
                weight_mg=1000,
                price_per_gram=9550,
                currency="USD",
            ).lot.lot_number
        ),
    ),
    "flag review": Case(
        "PATCH",
        "/flags/<flag_id>",
        lambda w, s: f"/flags/{s}",
        lambda w: {"status": "confirmed", "note": "seen"},
        {C: 200},
        setup=lambda session, w: _flag(session, w),
    ),
    "incidents": Case("GET", "/incidents", lambda w, s: "/incidents", None, {C: 200}),
    "incident review": Case(
        "PATCH",
        "/incidents/<incident_id>",
        lambda w, s: f"/incidents/{s}",
        lambda w: {"status": "confirmed", "note": "seen"},
        {C: 200},
        setup=lambda session, w: _incident(session, w),
    ),
    "site show": Case("GET", "/sites/<code>", lambda w, s: "/sites/SITE1", None, {C: 200, B: 200}),
    "site change": Case(
        "PATCH",
        "/sites/<code>",
        lambda w, s: "/sites/SITE1",
        lambda w: {"capacity_grams_per_month": 900, "note": "new estimate"},
        {C: 200},
    ),
    "group indicators": Case(
        "GET",
        "/groups/<code>/indicators",
        lambda w, s: "/groups/VSLA1/indicators",
        None,
        {C: 200, OF: 200},
    ),
    "indicators": Case(
        "GET", "/indicators", lambda w, s: "/indicators", None, {C: 200, B: 200, BO: 200}
    ),
    # Out of an officer's scope, a member id is as unknown as one that does not exist.
    "enrolment code": Case(
        "POST",
        "/members/<member_id>/enrolment-code",
        lambda w, s: f"/members/{w.members[0].id}/enrolment-code",
        None,
        {C: 201, OF: 201, OO: 404},
    ),
}


def _premium(session, w):
    _purchase(session, w)
    return plan_premium(
        session,
        cooperative=w.coop,
        amount=1000,
        currency="USD",
        basis="grams",
        period=(dt.date(2000, 1, 1), dt.date(2099, 12, 31)),
    ).id


CASES |= {
    "premium": Case(
        "POST",
        "/premiums",
        lambda w, s: "/premiums",
        lambda w: {
            "cooperative": "COOPBUNIA",
            "period": {"from": "2000-01-01", "to": "2099-12-31"},
            "amount": "10.00",
            "currency": "USD",
            "basis": "grams",
        },
        {C: 201},
        setup=_purchase,
    ),
    "premium show": Case(
        "GET",
        "/premiums/<premium_id>",
        lambda w, s: f"/premiums/{s}",
        None,
        {C: 200, B: 200},
        setup=_premium,
        unknown_to=(BO,),
    ),
    "payouts": Case("GET", "/payouts", lambda w, s: "/payouts", None, {C: 200, B: 200, BO: 200}),
    "premium report": Case(
        "GET",
        "/premiums/report",
        lambda w, s: "/premiums/report",
        None,
        {C: 200, B: 200, BO: 200},  # each buyer sees her own cooperative's only
        setup=_premium,
    ),
    "premium approve": Case(
        "POST",
        "/premiums/<premium_id>/approve",
        lambda w, s: f"/premiums/{s}/approve",
        None,
        {C: 200},
        setup=_premium,
    ),
    "payout cash code": Case(
        "POST",
        "/payouts/<reference>/cash-code",
        lambda w, s: f"/payouts/{s}/cash-code",
        None,
        {C: 200},
        setup=lambda session, w: _cash_payout(session, w),
    ),
}


def _cash_payout(session, w) -> str:
    """The reference of a miner's cash payout waiting at the cooperative."""
    premium = session.get(Premium, _premium(session, w))
    approve(session, premium, approver=None, on=dt.date(2099, 12, 31))
    return session.scalar(select(Payout.reference).where(Payout.cause.like("premium_line:%")))


def _exporter(session, w) -> int:
    return chain.create_partner(
        session, "exporter", name="Comptoir", licence="E-1", country="CD"
    ).id


def _sealed_lot(session, w) -> str:
    """A sealed lot of the buyer's cooperative, and an exporter to ship it to (on ``w``)."""
    purchase = gold.record_purchase(
        session, miner=w.miner, site=w.site, weight_mg=1000, price_per_gram=9550, currency="USD"
    )
    lots.seal_lot(session, purchase.lot, "T-1")
    w.exporter_id = _exporter(session, w)
    return purchase.lot.lot_number


def _taxed_purchase(session, w) -> None:
    w.receipt = _purchase(session, w)


PARTNER = {"name": "Comptoir", "licence": "E-2", "country": "CD"}

CASES |= {
    "seal": Case(
        "POST",
        "/lots/<lot_number>/seal",
        lambda w, s: f"/lots/{s}/seal",
        lambda w: {"tag": "T-9"},
        {C: 200},
        setup=lambda session, w: _purchase(session, w) and _lot_of(session, w),
    ),
    "ship": Case(
        "POST",
        "/lots/<lot_number>/ship",
        lambda w, s: f"/lots/{s}/ship",
        lambda w: {"exporter": w.exporter_id},
        {C: 200},
        setup=_sealed_lot,
    ),
    "tax": Case(
        "POST",
        "/taxes",
        lambda w, s: "/taxes",
        lambda w: {
            "purchase": w.receipt,
            "place": "site",
            "amount": "1",
            "currency": "USD",
            "payee": "SAEMAPE",
            "receipt_number": "S-1",
        },
        {C: 201},
        setup=_taxed_purchase,
    ),
    "exporter": Case("POST", "/exporters", lambda w, s: "/exporters", lambda w: PARTNER, {C: 201}),
    "exporters": Case("GET", "/exporters", lambda w, s: "/exporters", None, {C: 200}),
    "refiner": Case("POST", "/refiners", lambda w, s: "/refiners", lambda w: PARTNER, {C: 201}),
    "refiners": Case("GET", "/refiners", lambda w, s: "/refiners", None, {C: 200}),
}


def _lot_of(session, w) -> str:
    return session.scalar(select(Lot.lot_number).where(Lot.site_id == w.site.id))


def test_the_table_covers_every_protected_route():
    covered = {(c.method, c.rule) for c in CASES.values()}
    protected = {(r.method, r.rule) for r in ROUTES if r.roles is not None}
    assert covered == protected


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", CASES)
def test_role_and_scope(api, world, session, name, role):
    case = CASES[name]
    state = case.setup(session, world) if case.setup else None
    session.commit()
    body = case.body(world) if case.body else None
    raw = body if isinstance(body, str) else None
    answer = api(
        case.method,
        case.path(world, state),
        None if raw else body,
        raw=raw,
        as_=role,
        content_type=case.content_type,
    )
    expected = case.allowed.get(role, 404 if role in case.unknown_to else 403)
    assert answer.status_code == expected, answer.get_json()
    if expected == 403:
        assert answer.get_json()["code"] == "forbidden"
    if expected == 404:  # a member, group or loan out of scope is unknown
        assert answer.get_json()["code"] == (
            "unknown_premium"
            if case.rule.startswith("/premiums")
            else "unknown_member"
            if not case.rule.startswith(("/groups/<code>", "/loans"))
            else "unknown_group"
            if case.rule.startswith("/groups")
            else "unknown_loan"
        )


@pytest.mark.parametrize(("role", "visible"), [(C, 1), (OF, 1), (OO, 0), (B, 1), (BO, 0)])
def test_listing_a_phone_shows_only_members_in_scope(api, world, role, visible):
    answer = api("GET", "/members", query={"phone": world.members[0].phone}, as_=role)
    assert len(answer.get_json()["members"]) == visible


@pytest.mark.parametrize(
    ("role", "body", "status"),
    [
        # An officer adds members to their own group only, and no one else's.
        (OF, {"group": "VSLA2"}, 403),
        (OF, {}, 201),  # defaults to the officer's group
        (OF, {"cooperative": "COOPBUNIA"}, 403),
        (OF, {"roles": ["coordinator"]}, 403),
        (OF, {"roles": ["officer"]}, 201),
        (C, {"roles": ["coordinator"]}, 201),
    ],
)
def test_officer_member_scope(api, world, role, body, status):
    answer = api(
        "POST",
        "/members",
        {"phone": "0991234567", "name": "Baraka", "gender": "M", **body},
        as_=role,
    )
    assert answer.status_code == status, answer.get_json()
    if status == 201:
        assert answer.get_json()["group"] == ("VSLA1" if role == OF else None)


def test_officer_cannot_move_a_member_out_of_the_group(api, world):
    answer = api("PATCH", f"/members/{world.members[0].phone}", {"group": "VSLA2"}, as_=OF)
    assert answer.status_code == 403


@pytest.mark.parametrize(("role", "status"), [(C, 201), (B, 403), (BO, 201), (OF, 403)])
def test_a_buyer_buys_only_at_sites_of_their_cooperative(api, world, session, role, status):
    # SITE2 belongs to COOPMAMBASA: its buyer may, the buyer of COOPBUNIA may not.
    miner = factories.member(session, name="Kambale", roles="member,miner", coop=world.other_coop)
    session.commit()
    answer = api(
        "POST",
        "/purchases",
        {
            "miner": miner.id,
            "site": "SITE2",
            "weight_grams": 1,
            "price_per_gram": 90,
            "currency": "USD",
        },
        as_=role,
    )
    assert answer.status_code == status, answer.get_json()


def test_buyer_reads_own_price_by_default(api, world, session):
    gold.post_price(session, world.coop, 9550, 27_000_000)
    session.commit()
    answer = api("GET", "/prices", as_=B)
    assert answer.status_code == 200
    assert answer.get_json()["usd_per_gram"] == "95.50"
    assert answer.get_json()["cdf_per_gram"] == "270000.00"
    assert api("GET", "/prices", as_=BO).status_code == 404  # Mambasa has no price yet
    assert api("GET", "/prices", as_=C).status_code == 422  # a coordinator must say which
