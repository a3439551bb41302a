"""Request bodies of the chain's routes: exporters and refiners, sealing and shipping a lot,
taxes paid on gold (JSON Schema 2020-12, as ``api.schemas``)."""

from __future__ import annotations

from api.schemas import CODE, CURRENCY, DATE, MAX_ID, MEMBER_ID, TEXT, amount, choice, count, obj
from ledger.evidence.chain import MAX_NUMBER_LENGTH, MAX_PACKAGE_TYPE_LENGTH, MAX_PACKAGES

NUMBER = {"type": "string", "maxLength": MAX_NUMBER_LENGTH}
PARTNER_ID = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
COUNTRY = {
    "type": "string",
    "pattern": "^\\s*[A-Za-z]{2}\\s*$",
    "x-code": "bad_country",
    "description": "ISO 3166-1 alpha-2 code, such as CD, UG, AE",
    "examples": ["CD", "AE"],
}

PARTNER = obj(
    ("name", "licence", "country"),
    name=TEXT,
    licence={**NUMBER, "description": "licence (exporter) or registration number (refiner)"},
    country=COUNTRY,
)

PACKAGES = {
    "package_type": {
        "type": "string",
        "maxLength": MAX_PACKAGE_TYPE_LENGTH,
        "description": "how the lot is packed (MD.12 packageType), such as sealed bag",
    },
    "nr_of_packages": count(1, MAX_PACKAGES, "packages the lot is in (MD.12 nrOfPackages)"),
}

SEAL = obj(
    ("tag",),
    tag={"type": "string", "maxLength": 64},
    issuer=TEXT,
    custodian_id={**MEMBER_ID, "description": "member of the cooperative who holds the lot"},
    **PACKAGES,
)

SHIP = obj(
    ("exporter",),
    exporter={**PARTNER_ID, "description": "the exporter's id (POST /exporters)"},
    export_certificate={**NUMBER, "description": "the export certificate's number, when given"},
    refiner={**PARTNER_ID, "description": "the refiner's id (POST /refiners), when known"},
    destination=TEXT,
    custodian_id={**MEMBER_ID, "description": "member of the cooperative who carries it"},
    **PACKAGES,
)

TAX = obj(
    ("place", "amount", "currency", "payee", "receipt_number"),
    lot={**CODE, "description": "the lot number it was paid for (or give purchase)"},
    purchase={**CODE, "description": "the purchase's receipt number (or give lot)"},
    place=choice("site", "cooperative"),
    tax={**TEXT, "description": "what the tax is, as the receipt names it"},
    amount=amount("amount paid"),
    currency=CURRENCY,
    payee={**TEXT, "description": "who was paid (the service or authority)"},
    receipt_number={**NUMBER, "description": "the payee's receipt"},
    paid_on={**DATE, "description": "day paid (today)"},
)
