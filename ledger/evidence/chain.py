"""The chain beyond the cooperative: exporters and refiners (firms known by a licence or
registration number in a country), how a lot is packed, and the taxes paid on the gold at
the site or the cooperative, against one purchase or one lot."""

from __future__ import annotations

import datetime as dt
from functools import cache

from babel import Locale
from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.days import local_day_of
from ledger.errors import LedgerError
from ledger.members import clean_name
from ledger.models import (
    Lot,
    Partner,
    PartnerKind,
    Purchase,
    TaxPayment,
    TaxPlace,
    utcnow,
)
from ledger.money import check_amount, check_currency, major

#: Longest licence, receipt or certificate number, and package type we keep.
MAX_NUMBER_LENGTH = 64
MAX_PACKAGE_TYPE_LENGTH = 40
#: Most packages one lot is packed in: a lot of artisanal gold fills a few bags.
MAX_PACKAGES = 10_000


#: Two-letter regions CLDR knows that are no ISO 3166-1 country: unknown, groupings, pseudo
#: locales, and codes only reserved (Ascension, Canaries, Ceuta...).
NOT_COUNTRIES = frozenset(
    {"ZZ", "QO", "XA", "XB", "EU", "EZ", "UN", "AC", "CP", "CQ", "DG", "EA", "IC", "TA"}
)


@cache
def countries() -> frozenset[str]:
    """ISO 3166-1 alpha-2 codes, as CLDR (through Babel) knows them (Kosovo's XK too)."""
    known = Locale("en").territories
    return frozenset(c for c in known if len(c) == 2 and c.isalpha()) - NOT_COUNTRIES


def clean_text(raw: object, field: str, limit: int, *, required: bool = True) -> str | None:
    """A number or short text as given (spaces folded); blank is missing."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        if required:
            raise LedgerError("required", f"{field} is required", field)
        return None
    if not isinstance(raw, str):
        raise LedgerError("bad_type", f"{field} must be a string", field)
    text = " ".join(raw.split())
    if any(ord(c) < 32 or ord(c) == 127 for c in text):
        raise LedgerError("bad_text", f"{field} holds a control character", field)
    if len(text) > limit:
        raise LedgerError("too_long", f"{field} is longer than {limit} characters", field)
    return text


def parse_country(raw: object) -> str:
    code = raw.strip().upper() if isinstance(raw, str) else ""
    if code not in countries():
        raise LedgerError(
            "bad_country", "country is an ISO 3166 code such as CD, UG, AE", "country"
        )
    return code


def create_partner(
    session: Session, kind: PartnerKind | str, *, name: object, licence: object, country: object
) -> Partner:
    """A new exporter or refiner; one per licence number, kind and country."""
    kind = PartnerKind(kind)
    partner = Partner(
        kind=kind,
        name=clean_name(name),
        licence=clean_text(licence, "licence", MAX_NUMBER_LENGTH),
        country=parse_country(country),
    )
    same = session.scalar(
        select(Partner).where(
            Partner.kind == kind,
            Partner.country == partner.country,
            Partner.licence == partner.licence,
        )
    )
    if same is not None:
        raise LedgerError(
            "exists",
            f"{kind.value} {same.id} already holds licence {partner.licence} in {partner.country}",
            "licence",
            id=same.id,
        )
    session.add(partner)
    session.flush()
    return partner


def partners(session: Session, kind: PartnerKind | str) -> list[Partner]:
    return list(
        session.scalars(
            select(Partner)
            .where(Partner.kind == PartnerKind(kind))
            .order_by(Partner.name, Partner.id)
        )
    )


def get_partner(session: Session, kind: PartnerKind | str, ref: object, field: str) -> Partner:
    """The exporter or refiner with id ``ref``; anything else is unknown."""
    kind = PartnerKind(kind)
    found = None
    if isinstance(ref, int) and not isinstance(ref, bool) and 0 < ref < 2**31:
        found = session.get(Partner, ref)
    if found is None or found.kind != kind:
        raise LedgerError(f"unknown_{kind.value}", f"no {kind.value} {str(ref)[:20]}", field)
    return found


def partner_as_dict(partner: Partner | None) -> dict | None:
    if partner is None:
        return None
    return {
        "id": partner.id,
        "name": partner.name,
        "licence": partner.licence,
        "country": partner.country,
    }


def set_packages(lot: Lot, package_type: object, nr_of_packages: object) -> None:
    """How the lot is packed (``packageType``, ``nrOfPackages``), when given; a later value
    (at shipping) replaces an earlier one (at sealing)."""
    kind = clean_text(package_type, "package_type", MAX_PACKAGE_TYPE_LENGTH, required=False)
    if nr_of_packages is not None and (
        not isinstance(nr_of_packages, int)
        or isinstance(nr_of_packages, bool)
        or not 0 < nr_of_packages <= MAX_PACKAGES
    ):
        raise LedgerError(
            "out_of_range", f"nr_of_packages is from 1 to {MAX_PACKAGES}", "nr_of_packages"
        )
    if kind is not None:
        lot.package_type = kind
    if nr_of_packages is not None:
        lot.nr_of_packages = nr_of_packages


def record_tax(
    session: Session,
    *,
    place: TaxPlace | str,
    amount: int,
    currency: str,
    payee: object,
    receipt_number: object,
    lot: Lot | None = None,
    purchase: Purchase | None = None,
    tax: object = None,
    paid_on: dt.date | None = None,
) -> TaxPayment:
    """A tax paid on gold, against one purchase or one lot (not both), with its receipt."""
    if (lot is None) == (purchase is None):
        raise LedgerError("required", "a tax is paid against one lot or one purchase", "lot")
    try:
        place = TaxPlace(place)
    except ValueError:
        raise LedgerError("bad_choice", "place is site or cooperative", "place") from None
    today = local_day_of(utcnow())
    paid_on = paid_on or today
    if paid_on > today:
        raise LedgerError("out_of_range", "paid_on is not after today", "paid_on")
    payment = TaxPayment(
        cooperative_id=(lot or purchase).cooperative_id,
        lot_id=lot.id if lot else None,
        purchase_id=purchase.id if purchase else None,
        place=place,
        tax=clean_text(tax, "tax", 80, required=False),
        amount=check_amount(amount),
        currency=check_currency(currency),
        payee=clean_name(payee, "payee"),
        receipt_number=clean_text(receipt_number, "receipt_number", MAX_NUMBER_LENGTH),
        paid_on=paid_on,
    )
    session.add(payment)
    session.flush()
    return payment


def taxes_for(session: Session, lot_ids: list[int], purchase_ids: list[int]) -> list[TaxPayment]:
    """Taxes paid against these lots or these purchases, by day paid."""
    if not lot_ids and not purchase_ids:
        return []
    return list(
        session.scalars(
            select(TaxPayment)
            .where(TaxPayment.lot_id.in_(lot_ids) | TaxPayment.purchase_id.in_(purchase_ids))
            .order_by(TaxPayment.paid_on, TaxPayment.id)
        )
    )


def tax_as_dict(payment: TaxPayment, lot_number: str | None, receipt: str | None) -> dict:
    return {
        "place": payment.place.value,
        "tax": payment.tax,
        "amount": major(payment.amount, payment.currency),
        "currency": payment.currency,
        "payee": payment.payee,
        "receiptNumber": payment.receipt_number,
        "datePaid": payment.paid_on.isoformat(),
        "lotNumber": lot_number,
        "purchaseNumber": receipt,
    }
