"""The request bodies of the API, each described once (JSON Schema 2020-12, as OpenAPI 3.1
uses): the route table hands a body's schema to the OpenAPI document and to the check every
request passes before its view runs (``api.validation``). Answer schemas are documentation.

Beyond the standard keywords, a schema may name the error ``code`` it answers with
(``x-code``, an OpenAPI extension); its ``description`` then ends the message
("currency is one of CDF, USD")."""

from __future__ import annotations

import re

from api.defaults import MAX_MEETING_RECORDS, MAX_SHORT_TEXT
from ledger.defaults import CURRENCIES, LANGUAGES, MAX_CODE_LENGTH, MAX_NAME_LENGTH
from ledger.models import ChargeMethod, MemberStatus, Role

#: Largest id a member can have (the column is a 32-bit integer).
MAX_ID = 2**31 - 1

ANY = {"type": "object"}
TEXT = {"type": "string", "maxLength": MAX_NAME_LENGTH}
CODE = {
    "type": "string",
    "maxLength": MAX_CODE_LENGTH,
    "pattern": "^[A-Za-z0-9_-]+$",
    "x-code": "bad_code",
    "description": f"letters, digits, - and _ (at most {MAX_CODE_LENGTH})",
}
PHONE = {"type": "string", "maxLength": 32, "examples": ["+243812345678", "0812345678"]}
MEMBER_ID = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
MEMBER_REF = {
    "oneOf": [PHONE, MEMBER_ID],
    "x-code": "bad_member",
    "description": "a phone number or a member_id",
}
DATE = {"type": "string", "format": "date", "maxLength": MAX_SHORT_TEXT}
TIME = {
    "type": "string",
    "pattern": "^\\s*[0-9]{1,2}:[0-9]{2}\\s*$",
    "x-code": "bad_time",
    "description": "a local time such as 15:00",
    "examples": ["15:00"],
}


def choice(*values: str, code: str = "bad_choice") -> dict:
    """One of ``values``, in any case, spaces around it ignored (``"usd"`` is USD)."""
    words = "|".join(re.escape(value) for value in values)
    return {
        "type": "string",
        "pattern": f"^\\s*(?i:{words})\\s*$",
        "x-code": code,
        "description": f"one of {', '.join(values)}",
        "examples": list(values),
    }


CURRENCY = choice(*CURRENCIES, code="bad_currency")


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
    """A whole number from ``low`` to ``high``: a JSON integer (``3.0`` too) or its digits."""
    schema: dict = {
        "type": ["integer", "string"],
        "minimum": low,
        "maximum": high,
        "pattern": "^\\s*[0-9]{1,12}\\s*$",
    }
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
    # ICGLR colour; blue = not yet inspected (not_inspected: the same)
    status=choice("green", "yellow", "red", "blue", "not_inspected"),
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
    currency=CURRENCY,
    share_value=amount("price of one share"),
    social_fund_contribution=decimal("per meeting, major units; 0 for none", "500"),
    service_charge_rate=decimal("monthly service charge, a fraction", "0.10"),
    service_charge_method=choice(*(m.value for m in ChargeMethod)),
    loan_cap_multiple=count(1, 10, "loans up to this many times savings (default 3)"),
    max_shares=count(1, 10, "shares a member may buy per meeting (default 5)"),
    max_loan_term_months=count(1, 12, "longest loan (default 3)"),
    meeting_weekday=count(0, 6, "0 = Monday ... 6 = Sunday"),
    meeting_time=TIME,
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
    **obj(
        (),
        phone=PHONE,
        member_id=MEMBER_ID,
        shares=count(1, 10, "shares bought (a count)"),
        social_fund=amount("social fund contribution"),
        loan=amount("loan taken"),
        loan_term_months=count(1, 12),
        repayment=amount("loan repayment (charge first, then principal)"),
        fine=amount("fine paid"),
        fine_reason=choice("late", "absent", "disorder", "other"),
        grant=amount("social-fund grant paid to the member"),
    ),
    "description": "one member's doings at the meeting; name them by phone or member_id",
}

MEETING = obj(
    ("date",),
    date=DATE,
    present={"type": "array", "items": MEMBER_REF, "maxItems": MAX_MEETING_RECORDS},
    records={"type": "array", "items": RECORD, "maxItems": MAX_MEETING_RECORDS},
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
    "gender": {
        "type": "string",
        "pattern": "^\\s*[FfMm]",
        "maxLength": MAX_SHORT_TEXT,
        "x-code": "bad_gender",
        "description": "F or M (female, male)",
    },
    "language": choice(*LANGUAGES, code="bad_language"),
    "group": CODE,
    "cooperative": CODE,
    "site": CODE,
    "roles": {
        "anyOf": [
            {"type": "array", "items": choice(*(r.value for r in Role)), "maxItems": 10},
            {"type": "string", "maxLength": 200, "description": "comma-separated"},
        ],
        "x-code": "bad_roles",
        "description": "a list of role names",
    },
    "id_document": TEXT,
}

MEMBER = obj(("phone", "name", "gender"), **MEMBER_FIELDS)

MEMBER_PATCH = obj(
    (),
    **MEMBER_FIELDS,
    status=choice(*(s.value for s in MemberStatus)),
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
    currency=CURRENCY,
    lot={"type": "string", "maxLength": 32},
    payment={
        "enum": ["cash", "mobile_money"],
        "description": "how the miner is paid (cash); mobile money goes to her phone",
    },
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

INCIDENT_REVIEW = obj(
    ("status",),
    status={"enum": ["confirmed", "dismissed", "open"]},
    note={
        "type": "string",
        "maxLength": 200,
        "description": "what was found (required to dismiss)",
    },
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

PREMIUM = obj(
    ("cooperative", "amount", "currency", "basis"),
    cooperative=CODE,
    lots={
        "type": "array",
        "items": {"type": "string", "maxLength": 32},
        "maxItems": 50,
        "description": "lot numbers the premium was paid for (an export lot reaches every"
        " purchase combined into it); or give period",
    },
    period=obj(("from", "to"), **{"from": DATE, "to": DATE}),
    amount=amount("the whole premium received"),
    currency={"enum": ["CDF", "USD"]},
    basis={"enum": ["fine_grams", "grams"]},
    community_share=decimal("fraction of the premium for the community, 0 to 0.5", "0.10"),
    community_group={**CODE, "description": "the savings group the community share goes to"},
    method={"enum": ["cash", "mobile_money"], "description": "how the miners are paid (cash)"},
    note={"type": "string", "maxLength": 200},
)

#: No field: an empty body or ``{}``.
APPROVE = obj(())
