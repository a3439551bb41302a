"""JSON schemas of request and answer bodies, for the OpenAPI document (JSON Schema 2020-12,
as OpenAPI 3.1 uses). The views check every rule themselves; these describe them."""

from __future__ import annotations

from ledger.defaults import LANGUAGES

ANY = {"type": "object"}
TEXT = {"type": "string", "maxLength": 80}
CODE = {"type": "string", "maxLength": 32, "pattern": "^[A-Za-z0-9_-]+$"}
PHONE = {"type": "string", "maxLength": 32, "examples": ["+243812345678", "0812345678"]}
MEMBER_ID = {"type": "integer", "minimum": 1}
MEMBER_REF = {"oneOf": [PHONE, MEMBER_ID], "description": "a phone or a member_id"}
DATE = {"type": "string", "format": "date"}


def amount(description: str) -> dict:
    return {
        "type": ["string", "number"],
        "description": f"{description}: major units (francs, dollars), more than zero",
        "examples": ["5000", 5000],
    }


def decimal(description: str, example: str) -> dict:
    return {
        "type": ["string", "number"],
        "description": f"{description} (read as an exact decimal, never as a float)",
        "examples": [example],
    }


def count(low: int, high: int, description: str = "") -> dict:
    schema: dict = {"type": "integer", "minimum": low, "maximum": high}
    if description:
        schema["description"] = description
    return schema


def obj(required: tuple[str, ...], **properties: dict) -> dict:
    return {
        "type": "object",
        "required": list(required),
        "properties": properties,
        "additionalProperties": False,
    }


def money_out() -> dict:
    return {"type": "string", "description": 'major units, exact ("5000.00")'}


COOPERATIVE = obj(("code", "name"), code=CODE, name=TEXT)

SITE = obj(
    ("code", "name", "cooperative", "capacity_grams_per_month", "status"),
    code=CODE,
    name=TEXT,
    cooperative=CODE,
    capacity_grams_per_month=decimal("grams a month", "3000"),
    status={
        "enum": ["green", "yellow", "red", "blue", "not_inspected"],
        "description": "ICGLR colour; blue = not yet inspected (not_inspected: the same)",
    },
    lat=decimal("latitude", "1.566"),
    lon=decimal("longitude", "30.25"),
    inspected_on={**DATE, "description": "day of the inspection that gave the status (today)"},
    deadline={**DATE, "description": "yellow only: last day to fix (3 months after inspection)"},
)

SITE_PATCH = obj(
    (),
    status={
        "enum": ["green", "yellow", "red", "blue", "not_inspected"],
        "description": "a new inspection's rating (needs inspected_on)",
    },
    inspected_on=DATE,
    deadline={**DATE, "description": "yellow only: last day to fix (3 months after inspection)"},
    capacity_grams_per_month=decimal("grams a month", "3000"),
    note={"type": "string", "maxLength": 200, "description": "why: kept in the history"},
)

GROUP = obj(
    (
        "code",
        "name",
        "cooperative",
        "currency",
        "share_value",
        "social_fund_contribution",
        "service_charge_rate",
        "meeting_weekday",
        "meeting_time",
        "cycle_start",
    ),
    code=CODE,
    name=TEXT,
    cooperative=CODE,
    currency={"enum": ["CDF", "USD"]},
    share_value=amount("price of one share"),
    social_fund_contribution={
        "type": ["string", "number"],
        "description": "per meeting, major units; 0 for none",
    },
    service_charge_rate=decimal("monthly service charge, a fraction", "0.10"),
    service_charge_method={"enum": ["flat", "declining"]},
    loan_cap_multiple=count(1, 10, "loans up to this many times savings (default 3)"),
    max_shares=count(1, 10, "shares a member may buy per meeting (default 5)"),
    max_loan_term_months=count(1, 12, "longest loan (default 3)"),
    meeting_weekday=count(0, 6, "0 = Monday ... 6 = Sunday"),
    meeting_time={"type": "string", "pattern": "^[0-9]{1,2}:[0-9]{2}$", "examples": ["15:00"]},
    cycle_start=DATE,
)

GROUP_OUT = {
    "type": "object",
    "properties": {
        "code": CODE,
        "currency": {"type": "string"},
        "share_value": money_out(),
        "cycle": ANY,
    },
}

RECORD = {
    "type": "object",
    "description": "one member's doings at the meeting; name them by phone or member_id",
    "properties": {
        "phone": PHONE,
        "member_id": MEMBER_ID,
        "shares": count(1, 10, "shares bought (a count)"),
        "social_fund": amount("social fund contribution"),
        "loan": amount("loan taken"),
        "loan_term_months": count(1, 12),
        "repayment": amount("loan repayment (charge first, then principal)"),
        "fine": amount("fine paid"),
        "grant": amount("social-fund grant paid to the member"),
    },
    "additionalProperties": False,
}

MEETING = obj(
    ("date",),
    date=DATE,
    present={"type": "array", "items": MEMBER_REF, "maxItems": 100},
    records={"type": "array", "items": RECORD, "maxItems": 100},
)

MEETING_OUT = {
    "type": "object",
    "properties": {
        "meeting_id": {"type": "integer"},
        "members": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "member_id": {"type": "integer"},
                    "present": {"type": "boolean"},
                    "shares_bought": {"type": "integer"},
                    "shares": {"type": "integer"},
                    "savings": money_out(),
                    "social_fund": money_out(),
                    "loan_outstanding": money_out(),
                },
            },
        },
    },
}

SHARE_OUT = obj((), date={**DATE, "description": "default: today"})

#: No field yet: an empty body or ``{}``.
ENROLMENT = obj(())
ENROLMENT_OUT = obj(
    ("member_id", "code", "expires_at", "sms"),
    member_id={"type": "integer"},
    code={"type": "string", "pattern": "^[0-9]{6}$", "description": "shown once, never stored"},
    expires_at={"type": "string", "format": "date-time", "description": "UTC"},
    sms={"type": "boolean", "description": "also texted (the phone is the member's alone)"},
)

MEMBER_FIELDS = {
    "phone": PHONE,
    "name": TEXT,
    "gender": {"enum": ["F", "M"]},
    "language": {"enum": list(LANGUAGES)},
    "group": CODE,
    "cooperative": CODE,
    "site": CODE,
    "roles": {
        "type": "array",
        "items": {"enum": ["member", "miner", "officer", "buyer", "coordinator"]},
    },
    "id_document": TEXT,
}

MEMBER = obj(("phone", "name", "gender"), **MEMBER_FIELDS)

MEMBER_PATCH = obj(
    (),
    **MEMBER_FIELDS,
    status={"enum": ["active", "inactive"]},
    opted_out={"type": "boolean"},
)

MEMBER_OUT = {
    "type": "object",
    "properties": {"id": {"type": "integer"}, "phone": PHONE, "name": TEXT},
}

CSV = {
    "type": "string",
    "description": "CSV with a header: phone,name,gender,language,group,roles,id_document,site",
}

PURCHASE = obj(
    ("site", "weight_grams", "price_per_gram", "currency"),
    miner={**MEMBER_REF, "description": "the miner's phone or member_id (or give miner_id)"},
    miner_id=MEMBER_ID,
    site=CODE,
    weight_grams=decimal("grams, up to 3 decimals", "60.250"),
    fineness=decimal("fraction of gold", "0.925"),
    price_per_gram=decimal("price per gram in currency", "95.50"),
    currency={"enum": ["CDF", "USD"]},
    lot={"type": "string", "maxLength": 32},
)

PURCHASE_OUT = {
    "type": "object",
    "properties": {
        "receipt_number": {"type": "string"},
        "total": money_out(),
        "lot": {"type": "string"},
    },
}

PRICE = obj(
    ("cooperative", "usd_per_gram"),
    cooperative=CODE,
    usd_per_gram=decimal("US dollars per gram", "95.50"),
    cdf_per_gram=decimal("Congolese francs per gram", "270000"),
)

FLAG_REVIEW = obj(
    ("status",),
    status={"enum": ["confirmed", "dismissed", "open"]},
    note={"type": "string", "maxLength": 200, "description": "why (required to dismiss)"},
)

ERROR = {
    "type": "object",
    "required": ["error", "code"],
    "properties": {
        "error": {"type": "string"},
        "code": {"type": "string"},
        "field": {"type": "string"},
    },
}
