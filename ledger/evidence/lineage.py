"""Where a lot's gold came from: every input lot down to each purchase, and the lot as an
ICGLR MD.12 record."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger import units
from ledger.evidence import chain, defaults
from ledger.models import (
    Cooperative,
    Lot,
    LotEvent,
    LotInput,
    LotOperation,
    Member,
    Partner,
    Purchase,
    Site,
)
from ledger.money import major

#: ICGLR originating operation codes.
OPERATION_CODES = {
    LotOperation.PRODUCTION: 1,
    LotOperation.PURCHASE: 2,
    LotOperation.COMBINATION: 3,
    LotOperation.PROCESSING: 4,
    LotOperation.TRANSPORT: 5,
    LotOperation.STORAGE: 6,
    LotOperation.IMPORT: 7,
    LotOperation.EXPORT: 8,
}


def grams(mg: int | None) -> Decimal | None:
    return None if mg is None else units.grams(mg)


def fineness(mass_mg: int, fine_mg: int | None) -> Decimal | None:
    if fine_mg is None or mass_mg <= 0:
        return None
    return (Decimal(fine_mg) / Decimal(mass_mg)).quantize(Decimal("0.0001"))


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() + "Z" if value else None


def mine_site_id(site: Site | None) -> str | None:
    """``CC-lat-long-NNNNN`` (ICGLR): country, GPS in decimal degrees, the site's number."""
    if site is None or site.lat_micro is None or site.lon_micro is None:
        return None
    lat = units.degrees(site.lat_micro)
    lon = units.degrees(site.lon_micro)
    return f"{defaults.COUNTRY}-{lat:.6f}-{lon:.6f}-{site.id:05d}"


class _Tree:
    """Every lot under a root and their purchases, loaded in a few queries."""

    def __init__(self, session: Session, root: Lot):
        self.session = session
        self.lots: dict[int, Lot] = {root.id: root}
        self.children: dict[int, list[int]] = defaultdict(list)
        frontier = [root.id]
        while frontier:
            rows = session.execute(
                select(LotInput.output_lot_id, LotInput.input_lot_id).where(
                    LotInput.output_lot_id.in_(frontier)
                )
            ).all()
            new = [child for _, child in rows if child not in self.lots]
            for parent, child in sorted(rows):
                self.children[parent].append(child)
            for lot in session.scalars(select(Lot).where(Lot.id.in_(new))) if new else []:
                self.lots[lot.id] = lot
            frontier = new
        self.purchases: dict[int, list[Purchase]] = defaultdict(list)
        for purchase in session.scalars(
            select(Purchase)
            .where(Purchase.lot_id.in_(list(self.lots)))
            .order_by(Purchase.purchased_at, Purchase.id)
        ):
            self.purchases[purchase.lot_id].append(purchase)
        ids = {p.miner_id for ps in self.purchases.values() for p in ps}
        ids |= {lot.custodian_id for lot in self.lots.values() if lot.custodian_id}
        events = list(
            session.scalars(
                select(LotEvent)
                .where(LotEvent.lot_id.in_(list(self.lots)))
                .order_by(LotEvent.at, LotEvent.id)
            )
        )
        ids |= {e.custodian_id for e in events if e.custodian_id}
        self.events: dict[int, list[LotEvent]] = defaultdict(list)
        for event in events:
            self.events[event.lot_id].append(event)
        self.members = (
            {m.id: m for m in session.scalars(select(Member).where(Member.id.in_(ids)))}
            if ids
            else {}
        )
        site_ids = {lot.site_id for lot in self.lots.values() if lot.site_id}
        site_ids |= {p.site_id for ps in self.purchases.values() for p in ps}
        self.sites = (
            {s.id: s for s in session.scalars(select(Site).where(Site.id.in_(site_ids)))}
            if site_ids
            else {}
        )


def _person(member: Member | None, include_phone: bool) -> dict | None:
    if member is None:
        return None
    out: dict = {"id": member.id, "gender": member.gender.value}
    if include_phone:
        out["name"] = member.name
        out["phone"] = member.phone
    return out


def _purchase(tree: _Tree, p: Purchase, include_phone: bool) -> dict:
    miner = tree.members.get(p.miner_id)
    site = tree.sites.get(p.site_id)
    out_miner = _person(miner, include_phone) or {"id": p.miner_id}
    if miner is not None:
        out_miner["id_document_on_file"] = bool(miner.id_document)
    return {
        "receipt_number": p.receipt_number,
        "lot": tree.lots[p.lot_id].lot_number,
        "purchased_at": _iso(p.purchased_at),
        "miner": out_miner,
        "site": site.code if site else None,
        # What the gold was bought under, whatever the site has become since.
        "site_status": p.site_status.colour if p.site_status else None,
        "site_status_now": site.status.colour if site else None,
        "weight_grams": grams(p.weight_mg),
        "fineness": None if p.fineness_ppm is None else units.fraction(p.fineness_ppm),
        "price_per_gram": major(p.price_per_gram, p.currency),
        "total": major(p.total, p.currency),
        "currency": p.currency,
    }


def _node(tree: _Tree, lot_id: int, include_phone: bool) -> dict:
    lot = tree.lots[lot_id]
    kids = [tree.lots[k] for k in tree.children.get(lot_id, [])]
    in_mass = sum(k.mass_mg for k in kids)
    in_fine = (
        sum(k.fine_mg for k in kids if k.fine_mg is not None)
        if kids and all(k.fine_mg is not None for k in kids)
        else None
    )
    bought = sum(p.weight_mg for p in tree.purchases.get(lot_id, []))
    site = tree.sites.get(lot.site_id) if lot.site_id else None
    node = {
        "lot_number": lot.lot_number,
        "operation": lot.operation.value,
        "status": lot.status.value,
        "site": site.code if site else None,
        "mass_grams": grams(lot.mass_mg),
        "fine_grams": grams(lot.fine_mg),
        "fineness": fineness(lot.mass_mg, lot.fine_mg),
        "tag": lot.tag,
        "tag_issuer": lot.tag_issuer,
        "created_at": _iso(lot.created_at),
        "sealed_at": _iso(lot.sealed_at),
        "shipped_at": _iso(lot.shipped_at),
        "custodian": _person(tree.members.get(lot.custodian_id), include_phone),
        "events": [
            {
                "action": e.action.value,
                "at": _iso(e.at),
                "custodian": _person(tree.members.get(e.custodian_id), include_phone),
                "note": e.note,
            }
            for e in tree.events.get(lot_id, [])
        ],
        "mass_balance": {
            "inputs_mass_grams": grams(in_mass + bought),
            "inputs_fine_grams": grams(in_fine) if kids else None,
            "ok": lot.mass_mg <= in_mass + bought
            and (lot.fine_mg is None or in_fine is None or not kids or lot.fine_mg <= in_fine),
        },
        "purchases": [_purchase(tree, p, include_phone) for p in tree.purchases.get(lot_id, [])],
        "inputs": [_node(tree, k.id, include_phone) for k in kids],
    }
    return node


def lineage(session: Session, lot: Lot, *, include_phone: bool = False) -> dict:
    """The lot, its input lots recursively, each purchase (miner by id; name and phone only
    with ``include_phone``), a summary of where the gold came from, and the MD.12 record."""
    tree = _Tree(session, lot)
    root = _node(tree, lot.id, include_phone)
    every = [
        _purchase(tree, p, include_phone)
        for lot_id in tree.lots
        for p in tree.purchases.get(lot_id, [])
    ]
    every.sort(key=lambda p: (p["purchased_at"], p["receipt_number"]))
    value: dict[str, Decimal] = defaultdict(Decimal)
    for p in every:
        value[p["currency"]] += p["total"]
    miners = {p["miner"]["id"] for p in every}
    root["origin"] = {
        "lots": len(tree.lots),
        "purchase_count": len(every),
        "weight_grams": sum((p["weight_grams"] for p in every), Decimal("0.000")),
        "value": dict(sorted(value.items())),
        "miners": len(miners),
        "sites": sorted({p["site"] for p in every if p["site"]}),
        # The ICGLR colours the purchases were made under (blue/yellow: flagged at purchase).
        "site_statuses": sorted({p["site_status"] for p in every if p["site_status"]}),
        "purchases": every,
    }
    root["md12"] = md12(session, lot, tree)
    return root


def md12(session: Session, lot: Lot, tree: _Tree | None = None) -> dict:
    """The lot in the shape of the ICGLR MD.12 lot record (plus the purchases behind a
    purchase lot, which MD.12 leaves to the purchase record)."""
    tree = tree or _Tree(session, lot)
    coop = session.get(Cooperative, lot.cooperative_id)
    site = tree.sites.get(lot.site_id) if lot.site_id else None
    custodian = tree.members.get(lot.custodian_id) if lot.custodian_id else None
    conc = fineness(lot.mass_mg, lot.fine_mg)
    purchases = tree.purchases.get(lot.id, [])
    every = [p for ps in tree.purchases.values() for p in ps]
    return {
        "lotNumber": lot.lot_number,
        "dateRegistration": lot.created_at.date().isoformat(),
        "timeRegistration": lot.created_at.strftime("%H:%M:%S"),
        "timeZone": "UTC",
        "creator": {"identifier": coop.code, "name": coop.name} if coop else None,
        "creatorRole": lot.creator_role,
        "mineral": defaults.HS_GOLD,
        "concentration": None if conc is None else (conc * 100).quantize(Decimal("0.01")),
        "mass": grams(lot.mass_mg),
        "unitOfMeasurement": defaults.MASS_UNIT,
        "mineSiteId": mine_site_id(site),
        "originatingOperation": OPERATION_CODES[lot.operation],
        "inputLots": [tree.lots[k].lot_number for k in tree.children.get(lot.id, [])],
        "tag": (
            {
                "identifier": lot.tag,
                "issuer": lot.tag_issuer,
                "date": lot.sealed_at.date().isoformat() if lot.sealed_at else None,
            }
            if lot.tag
            else None
        ),
        "taxesPaid": _taxes(tree),
        "dateSealed": lot.sealed_at.date().isoformat() if lot.sealed_at else None,
        "dateShipped": lot.shipped_at.date().isoformat() if lot.shipped_at else None,
        "purchases": [
            {"purchaseNumber": p.receipt_number, "purchaseDate": p.purchased_at.date().isoformat()}
            for p in purchases
        ],
        "responsibleStaff": custodian.name if custodian else None,
        "exportCertificate": lot.export_certificate,
        "packageType": lot.package_type,
        "nrOfPackages": lot.nr_of_packages,
        "exporter": chain.partner_as_dict(session.get(Partner, lot.exporter_id or 0)),
        "refiner": chain.partner_as_dict(session.get(Partner, lot.refiner_id or 0)),
        # Beyond MD.12: what an auditor asks next.
        # The ICGLR colours the lot's purchases were made under (blue, yellow: flagged).
        "siteStatuses": sorted({p.site_status.colour for p in purchases if p.site_status}),
        # Purchases without a fineness (here and in every input lot): the fine gold of the
        # lot is then unknown, unless an assay gave it; the known ones are summed apart.
        "purchasesFinenessUnknown": sum(1 for p in every if p.fineness_ppm is None),
        "fineGoldKnown": lot.fine_mg is not None,
        "finenessKnown": _known_fineness(every),
        # Who held the lot at each step of its custody log.
        "custody": [
            {
                "action": e.action.value,
                "at": _iso(e.at),
                "custodian": (
                    tree.members[e.custodian_id].name if e.custodian_id in tree.members else None
                ),
                "note": e.note,
            }
            for e in tree.events.get(lot.id, [])
        ],
    }


def _known_fineness(purchases: list[Purchase]) -> dict:
    """The purchases behind the lot whose fineness was given: how many, their mass and their
    fine gold (computed from those only, never guessed for the others)."""
    known = [p for p in purchases if p.fineness_ppm is not None]
    return {
        "purchases": len(known),
        "mass": grams(sum(p.weight_mg for p in known)),
        "fineGold": grams(sum(units.fine_mg(p.weight_mg, p.fineness_ppm) for p in known)),
    }


def _taxes(tree: _Tree) -> list[dict]:
    """Taxes paid on the lot's gold: against the lot, an input lot, or a purchase of them."""
    receipts = {p.id: p.receipt_number for ps in tree.purchases.values() for p in ps}
    return [
        chain.tax_as_dict(
            t,
            tree.lots[t.lot_id].lot_number if t.lot_id else None,
            receipts.get(t.purchase_id),
        )
        for t in chain.taxes_for(tree.session, list(tree.lots), list(receipts))
    ]
