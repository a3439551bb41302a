"""The chain over the API: exporters and refiners, sealing and shipping a lot (to an exporter,
with its export certificate), and the taxes paid on gold. A coordinator does all of it; a
buyer reads the lot record (``api.evidence``)."""

from __future__ import annotations

from sqlalchemy import select

from api import auth, lookup
from api.errors import ApiError
from api.parsing import Body, member_number, request_body
from ledger import access, db
from ledger.days import local_day_of
from ledger.errors import LedgerError
from ledger.evidence import chain, lineage, lots
from ledger.models import (
    ApiToken,
    Lot,
    Member,
    Partner,
    PartnerKind,
    Purchase,
    TaxPlace,
    utcnow,
)


def _may_keep_partners(token: ApiToken) -> None:
    if not access.may_keep_partners(auth.actor(token)):
        raise auth.forbid("exporters and refiners")


def _create(token: ApiToken, kind: PartnerKind) -> tuple[int, object]:
    _may_keep_partners(token)
    body = request_body()
    partner = chain.create_partner(
        db.session(),
        kind,
        name=body.text("name"),
        licence=body.text("licence"),
        country=body.text("country"),
    )
    return 201, chain.partner_as_dict(partner)


def _list(token: ApiToken, kind: PartnerKind) -> tuple[int, object]:
    _may_keep_partners(token)
    return 200, {
        kind.value + "s": [chain.partner_as_dict(p) for p in chain.partners(db.session(), kind)]
    }


def create_exporter(token: ApiToken) -> tuple[int, object]:
    return _create(token, PartnerKind.EXPORTER)


def list_exporters(token: ApiToken) -> tuple[int, object]:
    return _list(token, PartnerKind.EXPORTER)


def create_refiner(token: ApiToken) -> tuple[int, object]:
    return _create(token, PartnerKind.REFINER)


def list_refiners(token: ApiToken) -> tuple[int, object]:
    return _list(token, PartnerKind.REFINER)


def _lot(token: ApiToken, lot_number: str) -> Lot:
    """The lot (404 when unknown); only a coordinator of its cooperative acts on it (403)."""
    try:
        found = lots.get_lot(db.session(), lot_number)
    except LedgerError:
        raise ApiError(404, "unknown_lot", f"no lot {lot_number[:40]!r}") from None
    if not access.may_dispatch_lots(auth.actor(token), found.cooperative_id):
        raise auth.forbid("this cooperative")
    return found


def _custodian(body: Body, lot: Lot) -> Member | None:
    """The member named as custodian: one of the lot's cooperative, else unknown."""
    if not body.has("custodian_id"):
        return None
    same = lambda m: access.cooperative_of(m) == lot.cooperative_id  # noqa: E731
    return lookup.member(
        member_number(body.raw("custodian_id"), "custodian_id"), "custodian_id", visible=same
    )


def _partner(body: Body, kind: PartnerKind, field: str) -> Partner | None:
    if not body.has(field):
        return None
    return chain.get_partner(db.session(), kind, body.count(field, 1, 2**31 - 1), field)


def _record(lot: Lot) -> dict:
    return lineage.md12(db.session(), lot)


def seal(token: ApiToken, lot_number: str) -> tuple[int, object]:
    lot = _lot(token, lot_number)
    body = request_body()
    lots.seal_lot(
        db.session(),
        lot,
        body.text("tag"),
        issuer=body.text("issuer", required=False),
        custodian=_custodian(body, lot),
        package_type=body.text("package_type", required=False),
        nr_of_packages=body.count("nr_of_packages", required=False),
    )
    return 200, _record(lot)


def ship(token: ApiToken, lot_number: str) -> tuple[int, object]:
    lot = _lot(token, lot_number)
    body = request_body()
    lots.ship_lot(
        db.session(),
        lot,
        exporter=_partner(body, PartnerKind.EXPORTER, "exporter"),
        refiner=_partner(body, PartnerKind.REFINER, "refiner"),
        export_certificate=body.text("export_certificate", required=False),
        destination=body.text("destination", required=False),
        custodian=_custodian(body, lot),
        package_type=body.text("package_type", required=False),
        nr_of_packages=body.count("nr_of_packages", required=False),
    )
    return 200, _record(lot)


def _purchase(token: ApiToken, receipt: str) -> Purchase:
    found = db.session().scalar(
        select(Purchase).where(Purchase.receipt_number == receipt.strip().upper())
    )
    if found is None or not access.may_dispatch_lots(auth.actor(token), found.cooperative_id):
        raise ApiError(422, "unknown_purchase", f"no purchase {receipt[:40]}", "purchase")
    return found


def record_tax(token: ApiToken) -> tuple[int, object]:
    """A tax paid against a lot (``lot``) or a purchase (``purchase``: its receipt number)."""
    body = request_body()
    if body.has("lot") == body.has("purchase"):
        raise ApiError(422, "required", "give lot or purchase (one of them)", "lot")
    currency = body.choice("currency").upper()
    values = dict(
        place=TaxPlace(body.choice("place")),
        amount=body.amount("amount", currency),
        currency=currency,
        payee=body.text("payee"),
        receipt_number=body.text("receipt_number"),
        tax=body.text("tax", required=False),
        paid_on=body.date("paid_on", required=False, latest=local_day_of(utcnow())),
    )
    lot = purchase = None
    if body.has("lot"):
        try:
            lot = lots.get_lot(db.session(), body.text("lot"))
        except LedgerError:
            raise ApiError(422, "unknown_lot", "no such lot", "lot") from None
        if not access.may_dispatch_lots(auth.actor(token), lot.cooperative_id):
            raise auth.forbid("this cooperative")
    else:
        purchase = _purchase(token, body.text("purchase"))
    payment = chain.record_tax(db.session(), lot=lot, purchase=purchase, **values)
    subject = lot or purchase.lot
    return 201, {
        "id": payment.id,
        **chain.tax_as_dict(
            payment, lot.lot_number if lot else None, purchase and purchase.receipt_number
        ),
        "record": f"/api/v1/lots/{subject.lot_number}/record",
    }
