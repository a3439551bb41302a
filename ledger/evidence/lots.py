"""Chain of custody: combine lots into export lots, seal (tag) and ship them.

Every change writes a ``LotEvent`` (the custody log). Combining checks the mass balance: an
output lot never holds more gold, or more fine gold, than the lots that went into it.
"""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal
from fractions import Fraction

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.errors import LedgerError
from ledger.evidence import chain
from ledger.models import (
    Cooperative,
    Lot,
    LotAction,
    LotEvent,
    LotInput,
    LotOperation,
    LotStatus,
    Member,
    Partner,
    PartnerKind,
    utcnow,
)
from ledger.units import PPM

#: Lot numbers: no 0/O or 1/I, so they read back unambiguously over the phone.
_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"

#: Operations that form a lot out of other lots.
FORMING = (LotOperation.COMBINATION, LotOperation.PROCESSING, LotOperation.EXPORT)


def get_lot(session: Session, lot_number: object) -> Lot:
    if not isinstance(lot_number, str) or not lot_number.strip():
        raise LedgerError("required", "lot number is required", "lot")
    lot = session.scalar(select(Lot).where(Lot.lot_number == lot_number.strip().upper()))
    if lot is None:
        raise LedgerError("unknown_lot", f"unknown lot {lot_number.strip()}", "lot")
    return lot


def lock_lots(session: Session, lots: list[Lot]) -> None:
    """Hold these lots until the transaction ends and read them fresh: no purchase adds to
    a lot between the reading of its mass and its sealing or combination. Locked in id
    order, so two combinations never wait on each other."""
    session.flush()
    session.scalars(
        select(Lot)
        .where(Lot.id.in_([lot.id for lot in lots]))
        .order_by(Lot.id)
        .with_for_update(key_share=True)
        .execution_options(populate_existing=True)
    ).all()


def input_lots(session: Session, lot: Lot) -> list[Lot]:
    return list(
        session.scalars(
            select(Lot)
            .join(LotInput, LotInput.input_lot_id == Lot.id)
            .where(LotInput.output_lot_id == lot.id)
            .order_by(Lot.id)
        )
    )


def _log(
    session: Session,
    lot: Lot,
    action: LotAction,
    at: dt.datetime,
    custodian: Member | None,
    note: str | None = None,
) -> LotEvent:
    event = LotEvent(
        lot_id=lot.id,
        action=action,
        at=at,
        custodian_id=custodian.id if custodian else lot.custodian_id,
        note=note[:200] if note else None,
    )
    session.add(event)
    return event


def combine_lots(
    session: Session,
    cooperative: Cooperative,
    lot_numbers: list[str],
    *,
    mass_mg: int | None = None,
    fineness_ppm: int | None = None,
    operation: LotOperation = LotOperation.COMBINATION,
    creator_role: int = 7,
    custodian: Member | None = None,
    lot_number: str | None = None,
    at: dt.datetime | None = None,
) -> Lot:
    """A new lot made of ``lot_numbers`` (open or sealed lots of ``cooperative``).

    Without ``mass_mg`` the output weighs what its inputs weigh; a smaller mass records a
    loss (melting, refining). With ``fineness_ppm`` (an assay) its fine gold is mass x
    fineness; without, the inputs' fine gold when every input's is known. The mass balance is
    then checked: output mass <= inputs' mass, output fine gold <= inputs' fine gold.
    """
    operation = LotOperation(operation)
    if operation not in FORMING:
        raise LedgerError(
            "bad_operation", "a lot is formed by combination, processing or export", "operation"
        )
    if not isinstance(lot_numbers, list) or not lot_numbers:
        raise LedgerError("required", "name the lots to combine", "inputs")
    if not isinstance(creator_role, int) or not 1 <= creator_role <= 8:
        raise LedgerError("out_of_range", "creator role is 1 (miner) to 8 (government)", "role")
    inputs = [get_lot(session, number) for number in lot_numbers]
    if len({lot.id for lot in inputs}) != len(inputs):
        raise LedgerError("duplicate", "a lot is named twice", "inputs")
    lock_lots(session, inputs)
    for lot in inputs:
        if lot.cooperative_id != cooperative.id:
            raise LedgerError(
                "other_cooperative",
                f"lot {lot.lot_number} belongs to another cooperative",
                "inputs",
            )
        if lot.status not in (LotStatus.OPEN, LotStatus.SEALED):
            raise LedgerError("lot_closed", f"lot {lot.lot_number} is {lot.status.value}", "inputs")
        if lot.mass_mg <= 0:
            raise LedgerError("empty_lot", f"lot {lot.lot_number} is empty", "inputs")

    in_mass = sum(lot.mass_mg for lot in inputs)
    fine_known = all(lot.fine_mg is not None for lot in inputs)
    in_fine = sum(lot.fine_mg or 0 for lot in inputs) if fine_known else None
    out_mass = in_mass if mass_mg is None else mass_mg
    if not isinstance(out_mass, int) or isinstance(out_mass, bool) or out_mass <= 0:
        raise LedgerError("not_positive", "the mass must be more than zero", "mass_grams")
    if fineness_ppm is not None:
        if not isinstance(fineness_ppm, int) or not 0 < fineness_ppm <= PPM:
            raise LedgerError("out_of_range", "fineness is a fraction such as 0.925", "fineness")
        exact_fine: Fraction | None = Fraction(out_mass * fineness_ppm, PPM)
    else:
        exact_fine = Fraction(in_fine) if in_fine is not None and out_mass == in_mass else None
    check_mass_balance(out_mass, exact_fine, in_mass, in_fine)
    out_fine = None if exact_fine is None else int(exact_fine)  # whole mg, rounded down

    sites = {lot.site_id for lot in inputs}
    now = at or utcnow()
    out = Lot(
        lot_number=_new_number(session, cooperative, lot_number),
        cooperative_id=cooperative.id,
        site_id=sites.pop() if len(sites) == 1 else None,
        operation=operation,
        creator_role=creator_role,
        custodian_id=custodian.id if custodian else None,
        mass_mg=out_mass,
        fine_mg=out_fine,
        status=LotStatus.OPEN,
        created_at=now,
    )
    session.add(out)
    session.flush()
    for lot in inputs:
        session.add(LotInput(output_lot_id=out.id, input_lot_id=lot.id))
        lot.status = LotStatus.COMBINED
        _log(session, lot, LotAction.COMBINED, now, custodian, out.lot_number)
    _log(
        session,
        out,
        LotAction.CREATED,
        now,
        custodian,
        f"{operation.value} of {', '.join(lot.lot_number for lot in inputs)}",
    )
    session.flush()
    return out


def check_mass_balance(
    out_mass: int, out_fine: Fraction | int | None, in_mass: int, in_fine: int | None
) -> None:
    """Refuse an output lot heavier, or richer in fine gold, than its inputs (exactly: a
    thousandth of a milligram too much is refused)."""
    if out_mass > in_mass:
        raise LedgerError(
            "mass_balance",
            f"the output lot ({out_mass} mg) weighs more than its inputs ({in_mass} mg)",
            "mass_grams",
            mass_mg=out_mass,
            inputs_mass_mg=in_mass,
        )
    if out_fine is not None and in_fine is not None and out_fine > in_fine:
        raise LedgerError(
            "mass_balance",
            f"the output lot holds more fine gold ({_mg(out_fine)} mg)"
            f" than its inputs ({in_fine} mg)",
            "fineness",
            fine_mg=_mg(out_fine),
            inputs_fine_mg=in_fine,
        )


def _mg(value: Fraction | int) -> str:
    exact = Fraction(value)
    return str((Decimal(exact.numerator) / exact.denominator).quantize(Decimal("0.001")))


def _new_number(session: Session, cooperative: Cooperative, wanted: str | None) -> str:
    if wanted:
        number = wanted.strip().upper()
        if not number or len(number) > 32 or not all(c.isalnum() or c in "-_" for c in number):
            raise LedgerError("bad_code", "a lot number is letters, digits, - and _", "lot_number")
        if session.scalar(select(Lot.id).where(Lot.lot_number == number)):
            raise LedgerError("exists", f"lot {number} already exists", "lot_number")
        return number
    stamp = f"{utcnow():%y%m%d}"
    random = "".join(secrets.choice(_ALPHABET) for _ in range(4))
    return f"X-{cooperative.code[:12]}-{stamp}-{random}"


def seal_lot(
    session: Session,
    lot: Lot,
    tag: object,
    *,
    issuer: str | None = None,
    custodian: Member | None = None,
    at: dt.datetime | None = None,
    package_type: str | None = None,
    nr_of_packages: int | None = None,
) -> Lot:
    """Close an open lot under a tag: no more purchases or inputs. A tag is used once. How it
    is packed (``package_type``, ``nr_of_packages``) may be said now or at shipping."""
    if not isinstance(tag, str) or not tag.strip() or len(tag.strip()) > 64:
        raise LedgerError("required", "a tag of at most 64 characters is required", "tag")
    tag = tag.strip().upper()
    lock_lots(session, [lot])
    if lot.status != LotStatus.OPEN:
        raise LedgerError("lot_closed", f"lot {lot.lot_number} is {lot.status.value}", "lot")
    if lot.mass_mg <= 0:
        raise LedgerError("empty_lot", f"lot {lot.lot_number} is empty", "lot")
    used = session.scalar(select(Lot.lot_number).where(Lot.tag == tag))
    if used:
        raise LedgerError("tag_used", f"tag {tag} is already on lot {used}", "tag", lot=used)
    now = at or utcnow()
    if now < lot.created_at:
        raise LedgerError("before_created", "a lot is sealed after it is made", "date")
    chain.set_packages(lot, package_type, nr_of_packages)
    lot.tag, lot.tag_issuer = tag, (issuer.strip()[:80] if issuer else None)
    lot.status, lot.sealed_at = LotStatus.SEALED, now
    if custodian is not None:
        lot.custodian_id = custodian.id
    _log(session, lot, LotAction.SEALED, now, custodian, tag)
    session.flush()
    return lot


def ship_lot(
    session: Session,
    lot: Lot,
    *,
    exporter: Partner | None = None,
    destination: str | None = None,
    custodian: Member | None = None,
    at: dt.datetime | None = None,
    export_certificate: str | None = None,
    refiner: Partner | None = None,
    package_type: str | None = None,
    nr_of_packages: int | None = None,
) -> Lot:
    """Record that a sealed lot left: when, to which exporter (and the export certificate,
    the refiner, when known), who carries it (``custodian``), where, and how it is packed."""
    if exporter is None or exporter.kind != PartnerKind.EXPORTER:
        raise LedgerError("required", "a lot ships to an exporter", "exporter")
    if refiner is not None and refiner.kind != PartnerKind.REFINER:
        raise LedgerError("unknown_refiner", "that is not a refiner", "refiner")
    certificate = chain.clean_text(
        export_certificate, "export_certificate", chain.MAX_NUMBER_LENGTH, required=False
    )
    lock_lots(session, [lot])
    if lot.status != LotStatus.SEALED:
        raise LedgerError(
            "not_sealed", f"lot {lot.lot_number} must be sealed before it ships", "lot"
        )
    now = at or utcnow()
    if lot.sealed_at and now < lot.sealed_at:
        raise LedgerError("before_seal", "a lot ships after it is sealed", "date")
    chain.set_packages(lot, package_type, nr_of_packages)
    lot.exporter_id, lot.export_certificate = exporter.id, certificate
    lot.refiner_id = refiner.id if refiner else None
    lot.status, lot.shipped_at = LotStatus.SHIPPED, now
    if custodian is not None:
        lot.custodian_id = custodian.id
    _log(session, lot, LotAction.SHIPPED, now, custodian, destination or exporter.name)
    session.flush()
    return lot
