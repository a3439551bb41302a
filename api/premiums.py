"""Premiums over the API: plan one, read it with each line's state, approve it.

Scopes: a coordinator plans and approves; a buyer of the cooperative reads (miners as id
and name). A premium outside the caller's scope is answered as an unknown one (404).
"""

from __future__ import annotations

from api import auth, lookup, schemas
from api.errors import ApiError
from api.parsing import Body, member_number, read_json
from ledger import access, authors, db, units
from ledger.days import local_today
from ledger.evidence import settings as evidence_settings
from ledger.models import ApiToken, Group, Premium
from ledger.money import check_currency, major
from ledger.payouts import by_cause
from ledger.premiums.approve import approve as approve_premium
from ledger.premiums.plan import plan_premium

PREMIUM_FIELDS = tuple(schemas.PREMIUM["properties"])
PERIOD_FIELDS = tuple(schemas.PREMIUM["properties"]["period"]["properties"])


def premium_json(premium: Premium, token: ApiToken) -> dict:
    session = db.session()
    cur = premium.currency
    paid = by_cause(session, [f"premium_line:{line.id}" for line in premium.lines])
    lines = []
    for line in premium.lines:
        miner = {"id": line.member.id, "name": line.member.name}
        if auth.sees_fully(token, line.member):
            miner["phone"] = line.member.phone
        payout = paid.get(f"premium_line:{line.id}")
        lines.append(
            {
                "miner": miner,
                "lots": line.lots.split(","),
                "grams": units.grams(line.weight_mg),
                "counted_grams": units.grams(line.counted_mg),
                "unknown_fineness_grams": units.grams(line.unknown_fineness_mg),
                "share": major(line.share, cur),
                "carried_in": major(line.carried_in, cur),
                "due": major(line.due, cur),
                "state": line.state.value,
                "payout": None
                if payout is None
                else {
                    "reference": payout.reference,
                    "method": payout.method.value,
                    "state": payout.state.value,
                    "amount": major(payout.amount, cur),
                },
            }
        )
    return {
        "id": premium.id,
        "cooperative": premium.cooperative.code,
        "status": premium.status.value,
        "amount": major(premium.amount, cur),
        "currency": cur,
        "basis": premium.basis.value,
        "method": premium.method.value,
        "lots": premium.lots.split(",") if premium.lots else None,
        "period": None
        if premium.period_from is None
        else {"from": premium.period_from, "to": premium.period_to},
        "community": {
            "share": units.fraction(premium.community_ppm).normalize(),
            "amount": major(premium.community_amount, cur),
            "group": _group_code(premium),
        },
        "miners_total": major(sum(line.share for line in premium.lines), cur),
        "note": premium.note,
        "created_at": premium.created_at,
        "created_by": authors.label(session, premium.recorded_by),
        "approved_at": premium.approved_at,
        "approved_by": authors.label(session, premium.approved_by),
        "lines": lines,
    }


def _group_code(premium: Premium) -> str | None:
    if premium.community_group_id is None:
        return None
    return db.session().get(Group, premium.community_group_id).code


def create(token: ApiToken) -> tuple[int, object]:
    body = Body(read_json(), PREMIUM_FIELDS)
    coop = lookup.cooperative(body.text("cooperative"))
    if not access.may_manage_premiums(auth.actor(token), coop.id):
        raise auth.forbid("this cooperative")
    currency = check_currency(body.short("currency"))
    lots, period = None, None
    if body.has("lots") == body.has("period"):
        raise ApiError(422, "lots_or_period", "give either lots or period", "lots")
    if body.has("lots"):
        lots = body.raw("lots")
        if not isinstance(lots, list) or not all(isinstance(n, str) for n in lots):
            raise ApiError(422, "bad_type", "lots is a list of lot numbers", "lots")
    else:
        span = Body(body.raw("period"), PERIOD_FIELDS, "period")
        period = (span.date("from"), span.date("to"))
    group = None
    if body.has("community_group"):
        group = lookup.group(body.text("community_group"), "community_group")
        if group.cooperative_id != coop.id:  # another cooperative's group: unknown
            raise ApiError(422, "unknown_group", "no group of this cooperative", "community_group")
    premium = plan_premium(
        db.session(),
        cooperative=coop,
        amount=body.amount("amount", currency),
        currency=currency,
        basis=body.choice("basis", ("fine_grams", "grams")),
        method=body.choice("method", ("cash", "mobile_money"), required=False) or "cash",
        lots=lots,
        period=period,
        community_share=body.raw("community_share"),
        community_group=group,
        note=body.text("note", required=False, max_length=200),
    )
    return 201, premium_json(premium, token)


def _premium(token: ApiToken, premium_id: str, *, manage: bool) -> Premium:
    """The premium in the caller's scope; any other is answered as unknown (404)."""
    try:
        number = member_number(premium_id, "id")
    except ApiError:
        number = None
    premium = db.session().get(Premium, number) if number else None
    actor = auth.actor(token)
    allowed = premium is not None and (
        access.may_manage_premiums(actor, premium.cooperative_id)
        if manage
        else access.may_see_payouts(actor, premium.cooperative_id)
    )
    if not allowed:
        raise ApiError(404, "unknown_premium", "no such premium")
    return premium


def show(token: ApiToken, premium_id: str) -> tuple[int, object]:
    return 200, premium_json(_premium(token, premium_id, manage=False), token)


def approve(token: ApiToken, premium_id: str) -> tuple[int, object]:
    Body(read_json(allow_empty=True), tuple(schemas.APPROVE["properties"]))
    premium = _premium(token, premium_id, manage=True)
    session = db.session()
    approve_premium(
        session,
        premium,
        approver=authors.current(session),
        on=local_today(evidence_settings.current().tz),
    )
    session.refresh(premium)
    return 200, premium_json(premium, token)
