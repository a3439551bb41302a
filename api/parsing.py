"""Reading request bodies: JSON numbers become ``Decimal`` (never float), junk is refused,
the route's schema checks the body (``api.validation``), and ``Body``'s converters read it:
amounts through ``ledger.money``, days through ``ledger.days``."""

from __future__ import annotations

import datetime as dt
import json
import unicodedata
from decimal import Decimal

from flask import g, request

from api.defaults import MAX_JSON_DEPTH, MAX_STRING
from api.errors import ApiError
from api.schemas import MAX_ID
from api.validation import validate
from ledger.days import parse_day
from ledger.money import to_decimal, to_minor


def _refuse_constant(name: str) -> None:
    raise ValueError(f"{name} is not a number")


def _check_structure(data: object) -> None:
    """Depth and text hygiene for the whole document: no NUL or control characters, no
    lone surrogates (the databases refuse them), no absurd strings or nesting."""
    stack: list[tuple[object, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise ApiError(400, "too_deep", "the JSON is nested too deeply")
        if isinstance(value, dict):
            stack.extend((k, depth + 1) for k in value)
            stack.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value)
        elif isinstance(value, str):
            if len(value) > MAX_STRING:
                raise ApiError(422, "too_long", f"a string is longer than {MAX_STRING}")
            if any(unicodedata.category(c) in ("Cc", "Cs") for c in value):
                raise ApiError(422, "bad_text", "text may not hold control characters")


def read_json(*, allow_empty: bool = False) -> dict:
    """The request body as a JSON object. Malformed JSON is a 400; too large a 413."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        if allow_empty:
            return {}
        raise ApiError(400, "empty_body", "the body must be a JSON object")
    try:
        text = raw.decode("utf-8-sig")
        data = json.loads(text, parse_float=Decimal, parse_constant=_refuse_constant)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise ApiError(400, "bad_json", "the body is not valid JSON") from None
    if not isinstance(data, dict):
        raise ApiError(400, "bad_json", "the body must be a JSON object")
    _check_structure(data)
    return data


def read_body(schema: dict, *, allow_empty: bool = False) -> Body:
    """The request body, checked against ``schema`` (``api.validation``)."""
    return Body(validate(schema, read_json(allow_empty=allow_empty)), schema=schema)


def request_body() -> Body:
    """The body of this request, as its route's schema checked it (``routes`` does)."""
    checked = g.get("api_body")
    if checked is None:
        raise RuntimeError("this route declares no JSON body schema")
    return checked


class Body:
    """A checked JSON object and the converters that read its fields: amounts to minor units,
    days, times, counts within the books' bounds. ``prefix`` names a nested object in errors
    (``records[2].loan``); ``schema`` is the one that checked it (counts take their bounds
    from it); ``fields``, when given, refuses any other key (for a body read without its
    route's schema)."""

    def __init__(
        self,
        data: object,
        fields: tuple[str, ...] | None = None,
        prefix: str = "",
        schema: dict | None = None,
    ):
        if not isinstance(data, dict):
            raise ApiError(422, "bad_type", f"{prefix or 'body'} must be an object", prefix)
        self.data = data
        self.prefix = prefix
        self.properties: dict = (schema or {}).get("properties", {})
        unknown = sorted(k for k in data if fields is not None and k not in fields)
        if unknown:
            raise ApiError(
                422,
                "unknown_field",
                f"unknown field {unknown[0]!r}; expected: {', '.join(fields)}",
                self.name(unknown[0]),
            )

    def name(self, key: str) -> str:
        return f"{self.prefix}.{key}" if self.prefix else key

    def has(self, key: str) -> bool:
        return self.data.get(key) is not None

    def raw(self, key: str, *, required: bool = False) -> object:
        value = self.data.get(key)
        if value is None and required:
            raise ApiError(422, "required", f"{self.name(key)} is required", self.name(key))
        return value

    def items(self, key: str) -> list[Body]:
        """The objects of the list ``key``, each named by its place (``records[2]``)."""
        schema = self.properties.get(key, {}).get("items")
        return [
            Body(v, prefix=f"{self.name(key)}[{i}]", schema=schema)
            for i, v in enumerate(self.array(key))
        ]

    def array(self, key: str) -> list:
        value = self.raw(key) or []
        if not isinstance(value, list):
            raise ApiError(422, "bad_type", f"{self.name(key)} must be a list", self.name(key))
        return value

    def text(self, key: str, *, required: bool = True, max_length: int | None = None) -> str | None:
        """The text stripped; blank is missing. (Lengths are the schema's to check.)"""
        value = self.raw(key, required=required)
        if value is None:
            return None
        field = self.name(key)
        if not isinstance(value, str):
            raise ApiError(422, "bad_type", f"{field} must be a string", field)
        if max_length is not None and len(value.strip()) > max_length:
            raise ApiError(
                422, "too_long", f"{field} is longer than {max_length} characters", field
            )
        if required and not value.strip():
            raise ApiError(422, "required", f"{field} is required", field)
        return value.strip()

    short = text

    def count(
        self, key: str, low: int | None = None, high: int | None = None, *, required: bool = True
    ) -> int | None:
        """A whole number: a JSON integer, an integral decimal (``3.0``) or digits; from
        ``low`` to ``high``, by default the schema's ``minimum`` and ``maximum``."""
        value = self.raw(key, required=required)
        if value is None:
            return None
        rule = self.properties.get(key, {})
        low = rule["minimum"] if low is None else low
        high = rule["maximum"] if high is None else high
        return whole_number(value, self.name(key), low, high)

    def amount(self, key: str, currency: str, *, required: bool = True) -> int | None:
        """Money in major units (francs, dollars) as minor units; must be more than zero."""
        value = self.raw(key, required=required)
        if value is None:
            return None
        return to_minor(value, currency, self.name(key))

    def decimal(self, key: str, places: int, *, required: bool = True) -> Decimal | None:
        value = self.raw(key, required=required)
        if value is None:
            return None
        return to_decimal(value, self.name(key), places)

    def date(
        self, key: str, *, required: bool = True, latest: dt.date | None = None
    ) -> dt.date | None:
        value = self.text(key, required=required)
        if value is None:
            return None
        return parse_date(value, self.name(key), latest)

    def time(self, key: str) -> dt.time:
        value, field = self.text(key), self.name(key)
        hours, _, minutes = value.partition(":")
        if not (
            hours.isascii()
            and minutes.isascii()
            and hours.isdigit()
            and minutes.isdigit()
            and int(hours) < 24
            and int(minutes) < 60
        ):
            raise ApiError(422, "bad_time", f"{field} is a local time such as 15:00", field)
        return dt.time(int(hours), int(minutes))

    def choice(
        self, key: str, choices: tuple[str, ...] | None = None, *, required: bool = True
    ) -> str | None:
        """The choice in lower case (the schema says which; ``choices`` narrows it)."""
        value = self.text(key, required=required)
        if value is None:
            return None
        if choices is not None and value.lower() not in choices:
            field = self.name(key)
            raise ApiError(422, "bad_choice", f"{field} is one of {', '.join(choices)}", field)
        return value.lower()

    def boolean(self, key: str) -> bool | None:
        value = self.raw(key)
        if value is not None and not isinstance(value, bool):
            raise ApiError(422, "bad_type", f"{self.name(key)} is true or false", self.name(key))
        return value


def whole_number(value: object, field: str, low: int, high: int) -> int:
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, Decimal) and value.is_finite() and (not value or value.adjusted() < 12):
        if value == value.to_integral_value():
            number = int(value)
    elif isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        number = int(value.strip()) if len(value.strip()) <= 12 else None
    if number is None or not low <= number <= high:
        raise ApiError(
            422, "out_of_range", f"{field} must be a whole number from {low} to {high}", field
        )
    return number


def query_date(name: str) -> dt.date | None:
    """The day in the query string's ``name`` (``?as_of=2025-01-06``), or None."""
    value = request.args.get(name)
    return None if value is None else parse_date(value, name)


def parse_date(value: str, field: str, latest: dt.date | None = None) -> dt.date:
    """A ``YYYY-MM-DD`` day within the books' range (and not after ``latest``): anything
    else is a 422 on ``field``, never a date sum that overflows later."""
    day = parse_day(value, field)
    if latest is not None and day > latest:
        raise ApiError(422, "out_of_range", f"{field} is out of range", field)
    return day


def member_number(value: object, field: str = "member_id") -> int:
    return whole_number(value, field, 1, MAX_ID)


def member_ref(value: object, field: str) -> int | str:
    """A member named by phone (a string) or by id (a whole number)."""
    if isinstance(value, str) and value.strip():
        return value.strip()
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        return member_number(value, field)
    raise ApiError(422, "bad_member", f"{field} is a phone number or a member_id", field)
