"""Lots (``/console/lots``): the lots of the cooperatives in scope; one lot's lineage back to
each purchase and its ICGLR MD.12 record, on a page that prints as the lot record."""

from __future__ import annotations

from sqlalchemy import select

from console import auth
from console.pages import bp, out_of_scope, paginate, render
from ledger import access, authors, db
from ledger.codes import clean_code
from ledger.errors import LedgerError
from ledger.evidence import lineage, lots
from ledger.models import Lot, LotEvent


@bp.get("/lots")
def lot_list():
    coops = access.cooperative_ids(db.session(), auth.actor())
    if not coops:
        out_of_scope()
    page = paginate(select(Lot).where(Lot.cooperative_id.in_(coops)).order_by(Lot.id.desc()))
    return render("lots.html", page=page)


@bp.get("/lots/<number>")
def lot(number: str):
    session = db.session()
    actor = auth.actor()
    try:
        found = lots.get_lot(session, clean_code(number, "lot"))
    except LedgerError:
        out_of_scope()
    if not access.may_act_for_cooperative(actor, found.cooperative_id):
        out_of_scope()
    coordinates = actor.everywhere or actor.coordinates == found.cooperative_id
    tree = lineage.lineage(session, found, include_phone=coordinates)
    events = list(
        session.scalars(select(LotEvent).where(LotEvent.lot_id == found.id).order_by(LotEvent.id))
    )
    names = {e.recorded_by: authors.label(session, e.recorded_by) for e in events}
    return render("lot.html", lot=found, tree=tree, events=events, names=names)
