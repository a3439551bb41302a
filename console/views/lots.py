"""Lots (``/console/lots``): the lots of the cooperatives in scope; one lot's lineage back to
each purchase and its custody log; its ICGLR MD.12 record on a page that prints. A
coordinator of the lot's cooperative combines lots into a new one, seals a lot under a tag
and records that it shipped (``ledger.evidence.lots``); its buyer reads."""

from __future__ import annotations

from flask import redirect, request, url_for
from sqlalchemy import select

from console import auth
from console.errors import say
from console.forms import CombineForm, SealForm, ShipForm
from console.pages import bp, out_of_scope, paginate, render
from console.words import LOT_ACTION, LOT_OPERATION, LOT_STATUS, translated
from ledger import access, authors, db, gold
from ledger.codes import clean_code
from ledger.errors import LedgerError
from ledger.evidence import chain, lineage, lots
from ledger.models import Cooperative, Lot, LotEvent, LotStatus, PartnerKind

#: Most lots one combination takes from the form.
MAX_INPUTS = 100


def _may_handle_any() -> bool:
    actor = auth.actor()
    return any(
        access.may_dispatch_lots(actor, c) for c in access.cooperative_ids(db.session(), actor)
    )


def _list(form: CombineForm, status: int = 200):
    coops = access.cooperative_ids(db.session(), auth.actor())
    if not coops:
        out_of_scope()
    page = paginate(select(Lot).where(Lot.cooperative_id.in_(coops)).order_by(Lot.id.desc()))
    actor = auth.actor()
    combinable = {
        lot.id
        for lot in page.items
        if lot.status in (LotStatus.OPEN, LotStatus.SEALED)
        and lot.mass_mg > 0
        and access.may_dispatch_lots(actor, lot.cooperative_id)
    }
    chosen = set(request.form.getlist("inputs")) if request.method == "POST" else set()
    return (
        render(
            "lots.html",
            page=page,
            form=form,
            combinable=combinable,
            chosen=chosen,
            may_combine=bool(combinable) or (status != 200 and _may_handle_any()),
            statuses=translated(LOT_STATUS),
            operations=translated(LOT_OPERATION),
        ),
        status,
    )


@bp.get("/lots")
def lot_list():
    return _list(CombineForm())


def _handled(number: str) -> Lot:
    """The lot named in a form, if the caller handles its cooperative's lots; else unknown."""
    try:
        found = lots.get_lot(db.session(), clean_code(number, "inputs"))
    except LedgerError:
        raise LedgerError("unknown_lot", "unknown lot", "inputs") from None
    if not access.may_dispatch_lots(auth.actor(), found.cooperative_id):
        raise LedgerError("unknown_lot", "unknown lot", "inputs")
    return found


@bp.post("/lots")
def combine():
    session = db.session()
    if not _may_handle_any():
        out_of_scope()
    form = CombineForm()
    if not form.validate_on_submit():
        return _list(form, 400)
    numbers = [n.strip()[:40] for n in request.form.getlist("inputs") if n.strip()]
    try:
        if not numbers or len(numbers) > MAX_INPUTS:
            raise LedgerError("required", "name the lots to combine", "inputs")
        inputs = [_handled(n) for n in numbers]
        operation = form.operation.data or "combination"
        if operation not in LOT_OPERATION:
            raise LedgerError("bad_operation", "bad operation", "operation")
        mass = (form.mass_grams.data or "").strip().replace(",", ".")
        made = lots.combine_lots(
            session,
            session.get(Cooperative, inputs[0].cooperative_id),
            [lot.lot_number for lot in inputs],
            mass_mg=gold.parse_grams(mass, "mass_grams") if mass else None,
            fineness_ppm=gold.parse_fineness((form.fineness.data or "").strip().replace(",", ".")),
            operation=operation,
            lot_number=(form.lot_number.data or "").replace("\x00", "").strip() or None,
        )
    except LedgerError as exc:
        session.rollback()
        form._fields.get(exc.field or "", form.inputs).errors = [say(exc)]
        return _list(form, 422)
    session.commit()
    return redirect(url_for("console.lot", number=made.lot_number, saved=1))


def lot_in_scope(number: str) -> Lot:
    try:
        found = lots.get_lot(db.session(), clean_code(number, "lot"))
    except LedgerError:
        out_of_scope()
    if not access.may_act_for_cooperative(auth.actor(), found.cooperative_id):
        out_of_scope()
    return found


def _page(found: Lot, seal=None, ship=None, status: int = 200, problem: str | None = None):
    session = db.session()
    actor = auth.actor()
    coordinates = actor.everywhere or actor.coordinates == found.cooperative_id
    tree = lineage.lineage(session, found, include_phone=coordinates)
    events = list(
        session.scalars(select(LotEvent).where(LotEvent.lot_id == found.id).order_by(LotEvent.id))
    )
    names = {e.recorded_by: authors.label(session, e.recorded_by) for e in events}
    return (
        render(
            "lot.html",
            lot=found,
            tree=tree,
            events=events,
            names=names,
            may_handle=access.may_dispatch_lots(actor, found.cooperative_id),
            seal=seal or SealForm(),
            ship=ship or ShipForm(),
            exporters=chain.partners(session, PartnerKind.EXPORTER),
            statuses=translated(LOT_STATUS),
            actions=translated(LOT_ACTION),
            problem=problem,
        ),
        status,
    )


def _refused(number: str, form, exc: LedgerError, fallback, which: str):
    """The lot's page again, the refusal on its field (or above the forms, when it is about
    the lot itself: sealed already, not sealed yet)."""
    db.session().rollback()
    if exc.field == "lot":
        return _page(lot_in_scope(number), status=422, problem=say(exc), **{which: form})
    form._fields.get(exc.field or "", fallback).errors = [say(exc)]
    return _page(lot_in_scope(number), status=422, **{which: form})


@bp.get("/lots/<number>")
def lot(number: str):
    return _page(lot_in_scope(number))


@bp.get("/lots/<number>/record")
def lot_record(number: str):
    found = lot_in_scope(number)
    record = lineage.md12(db.session(), found)
    return render("lot_record.html", lot=found, record=record, actions=translated(LOT_ACTION))


def _handled_here(number: str) -> Lot:
    found = lot_in_scope(number)
    if not access.may_dispatch_lots(auth.actor(), found.cooperative_id):
        out_of_scope()
    return found


@bp.post("/lots/<number>/seal")
def seal_lot(number: str):
    session = db.session()
    found = _handled_here(number)
    form = SealForm()
    if not form.validate_on_submit():
        return _page(found, seal=form, status=400)
    try:
        issuer = (form.issuer.data or "").replace("\x00", "").strip() or None
        lots.seal_lot(session, found, (form.tag.data or "").replace("\x00", ""), issuer=issuer)
    except LedgerError as exc:
        return _refused(number, form, exc, form.tag, "seal")
    session.commit()
    return redirect(url_for("console.lot", number=found.lot_number, saved=1))


@bp.post("/lots/<number>/ship")
def ship_lot(number: str):
    session = db.session()
    found = _handled_here(number)
    form = ShipForm()
    if not form.validate_on_submit():
        return _page(found, ship=form, status=400)
    try:
        destination = (form.destination.data or "").replace("\x00", "").strip()
        if len(destination) > 200:
            raise LedgerError("too_long", "too long", "destination")
        raw = (form.exporter.data or "").strip()
        exporter = chain.get_partner(
            session,
            PartnerKind.EXPORTER,
            int(raw) if raw.isascii() and raw.isdigit() else raw,
            "exporter",
        )
        lots.ship_lot(
            session,
            found,
            exporter=exporter,
            export_certificate=(form.export_certificate.data or "").replace("\x00", "") or None,
            destination=destination or None,
        )
    except LedgerError as exc:
        return _refused(number, form, exc, form.destination, "ship")
    session.commit()
    return redirect(url_for("console.lot", number=found.lot_number, saved=1))
