"""The check every JSON body passes before its view runs: the route's schema (``api.schemas``,
the one the OpenAPI document shows), its first failure answered as a 422 naming the field
(``records[2].loan``) with the codes the API has always used.

JSON numbers arrive as ``Decimal`` or ``int`` (never float): ``3.0`` is an integer here. A
``null`` is the same as leaving the field out."""

from __future__ import annotations

from decimal import Decimal

from jsonschema import Draft202012Validator, ValidationError
from jsonschema.validators import extend

from api.errors import ApiError


def _is_integer(checker, value: object) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, Decimal):
        return value.is_finite() and (not value or value.adjusted() < 12) and value % 1 == 0
    return isinstance(value, int)


_Validator = extend(
    Draft202012Validator,
    type_checker=Draft202012Validator.TYPE_CHECKER.redefine("integer", _is_integer),
)

#: What a value of the wrong type is told, by the type the schema asks for.
_TYPES = {
    "string": ("bad_type", "must be a string"),
    "boolean": ("bad_type", "is true or false"),
    "array": ("bad_type", "must be a list"),
    "object": ("bad_type", "must be an object"),
}


def without_nulls(value: object) -> object:
    """The document with every object's ``null`` members left out (lists keep theirs)."""
    if isinstance(value, dict):
        return {k: without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [without_nulls(v) for v in value]
    return value


def field_name(path) -> str:
    """``["records", 2, "loan"]`` -> ``records[2].loan``."""
    name = ""
    for part in path:
        name += f"[{part}]" if isinstance(part, int) else (f".{part}" if name else part)
    return name


def _types(schema: dict) -> list[str]:
    kind = schema.get("type", [])
    return [kind] if isinstance(kind, str) else list(kind)


def _whole(schema: dict) -> str:
    low, high = schema.get("minimum"), schema.get("maximum")
    if low is not None and high is not None:
        return f"a whole number from {low} to {high}"
    if low is not None:
        return f"a whole number of at least {low}"
    return "a whole number"


def _refusal(error: ValidationError) -> ApiError:
    schema, path = error.schema, list(error.absolute_path)
    if error.validator == "additionalProperties":
        known = tuple(schema.get("properties", ()))
        extra = sorted(k for k in error.instance if k not in known)[0]
        field = field_name([*path, extra])
        expected = ", ".join(known)
        return ApiError(
            422, "unknown_field", f"unknown field {extra!r}; expected: {expected}", field
        )
    if error.validator == "required":
        missing = next(k for k in error.validator_value if k not in error.instance)
        field = field_name([*path, missing])
        return ApiError(422, "required", f"{field} is required", field)
    field = field_name(path) or "body"
    kinds = _types(schema)
    if "integer" in kinds:
        return ApiError(422, "out_of_range", f"{field} must be {_whole(schema)}", field)
    if "x-code" in schema:
        text = schema.get("description", "not valid")
        return ApiError(422, schema["x-code"], f"{field} is {text}", field)
    if error.validator == "type":
        if "number" in kinds:
            return ApiError(422, "bad_number", f"{field} must be a number", field)
        code, text = _TYPES.get(kinds[0], ("bad_type", "is of the wrong type"))
        return ApiError(422, code, f"{field} {text}", field)
    if error.validator == "enum":
        choices = ", ".join(str(v) for v in error.validator_value)
        return ApiError(422, "bad_choice", f"{field} is one of {choices}", field)
    if error.validator in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        return ApiError(422, "out_of_range", f"{field} is out of range", field)
    if error.validator == "minLength":
        return ApiError(422, "required", f"{field} is required", field)
    if error.validator == "maxLength":
        limit = error.validator_value
        return ApiError(422, "too_long", f"{field} is longer than {limit} characters", field)
    if error.validator == "maxItems":
        return ApiError(422, "too_many", f"{field} holds at most {error.validator_value}", field)
    return ApiError(422, "bad_value", f"{field} is not valid", field)


#: Which failure is told first: an object's unknown fields, then missing ones, then values
#: in the schema's order (a stable sort keeps the validator's order within each).
_FIRST = {"additionalProperties": 0, "required": 1}

_validators: dict[int, tuple[dict, Draft202012Validator]] = {}


def validate(schema: dict, document: object) -> object:
    """``document`` without its nulls, if ``schema`` takes it; else the ``ApiError`` telling
    its first failure."""
    cached = _validators.get(id(schema))
    if cached is None or cached[0] is not schema:
        cached = _validators[id(schema)] = (schema, _Validator(schema))
    document = without_nulls(document)
    errors = sorted(cached[1].iter_errors(document), key=lambda e: _FIRST.get(e.validator, 2))
    if errors:
        raise _refusal(errors[0])
    return document
