"""Every JSON body is checked against the very schema the OpenAPI document shows: a body that
breaks any one rule of that schema is refused with a 4xx naming the field, and nothing is
written; the document's example bodies pass its own schema."""

from __future__ import annotations

import json

import pytest
from jsonschema import Draft202012Validator

from api.routes import ROUTES
from api.validation import field_name
from tests.api.test_bad_input import concrete, row_counts
from tests.api.test_fuzz import templates

BODIES = [r for r in ROUTES if r.json_body]


def documented(client, route) -> dict:
    path = "/api/v1" + route.rule.replace("<", "{").replace(">", "}")
    op = client.get("/api/v1/openapi.json").get_json()["paths"][path][route.method.lower()]
    return op["requestBody"]["content"]["application/json"]["schema"]


def _types(schema: dict) -> list[str]:
    kind = schema.get("type", [])
    return [kind] if isinstance(kind, str) else kind


def sample(schema: dict) -> object:
    """A value ``schema`` takes."""
    if "oneOf" in schema or "anyOf" in schema:
        return sample((schema.get("oneOf") or schema["anyOf"])[0])
    kinds = _types(schema)
    if "object" in kinds:
        return {k: sample(schema["properties"][k]) for k in schema.get("required", [])}
    if "integer" in kinds:
        return schema.get("minimum", 1)
    if "array" in kinds:
        return [sample(schema["items"])]
    if "examples" in schema:
        return schema["examples"][0]
    return "a"


def breakers(schema: dict) -> list[object]:
    """Values that each break one rule of ``schema`` (a property's)."""
    kinds = _types(schema)
    found: list[object] = [{"an": "object"}] if "object" not in kinds else [[]]
    if "maxLength" in schema:
        found.append("a" * (schema["maxLength"] + 1))
    if "pattern" in schema:
        found.append("%%%")
    if "minimum" in schema:
        found.append(schema["minimum"] - 1)
    if "maximum" in schema:
        found.append(schema["maximum"] + 1)
    if "maxItems" in schema:
        found.append([sample(schema["items"])] * (schema["maxItems"] + 1))
    if "enum" in schema:
        found.append("not one of them")
    if "boolean" in kinds:
        found.append("yes")
    return found


def spoilt(schema: dict, template: dict) -> list[tuple[dict, list]]:
    """(body, path of the field at fault) for each rule of the object schema, one at a time,
    nested objects in lists (``records[0]``) included."""
    out: list[tuple[dict, list]] = [({**template, "zz_unknown": 1}, ["zz_unknown"])]
    out += [
        ({k: v for k, v in template.items() if k != key}, [key])
        for key in schema.get("required", [])
    ]
    for key, rule in schema["properties"].items():
        out += [({**template, key: value}, [key]) for value in breakers(rule)]
        items = rule.get("items", {})
        if "object" in _types(items):
            inner = sample(items)
            for body, path in spoilt(items, inner):
                out.append(({**template, key: [body]}, [key, 0, *path]))
    return out


@pytest.mark.parametrize("route", BODIES, ids=lambda r: f"{r.method} {r.rule}")
def test_the_check_is_the_documented_schema(client, route):
    Draft202012Validator.check_schema(route.body)  # a well-formed JSON Schema 2020-12
    assert json.loads(json.dumps(route.body)) == documented(client, route)


def test_a_body_reads_as_its_schema_says():
    """Choices in any case, counts as digits or integral decimals, null as missing."""
    from decimal import Decimal

    from api import schemas
    from api.errors import ApiError
    from api.validation import validate

    group = dict(
        code="G",
        name="G",
        cooperative="C",
        currency=" usd ",
        share_value=Decimal("1000.00"),
        social_fund_contribution=0,
        service_charge_rate="0.1",
        meeting_weekday="2",
        max_shares=Decimal("3.0"),
        meeting_time="15:00",
        cycle_start="2025-01-06",
        loan_cap_multiple=None,
    )
    assert "loan_cap_multiple" not in validate(schemas.GROUP, group)
    for key, value, code in [
        ("currency", "EUR", "bad_currency"),
        ("max_shares", Decimal("3.5"), "out_of_range"),
        ("meeting_weekday", True, "out_of_range"),
        ("share_value", True, "bad_number"),
        ("meeting_time", "3pm", "bad_time"),
        ("code", "G 1", "bad_code"),
    ]:
        with pytest.raises(ApiError) as refused:
            validate(schemas.GROUP, {**group, key: value})
        assert (refused.value.code, refused.value.field) == (code, key)


@pytest.mark.parametrize("route", BODIES, ids=lambda r: f"{r.method} {r.rule}")
def test_each_broken_rule_is_refused_with_its_field(api, world, session, route):
    schema = documented(api.client, route)
    template = templates(world).get((route.method, route.rule), {})
    checker = Draft202012Validator(schema)
    assert checker.is_valid(template), list(checker.iter_errors(template))
    before = row_counts(session)
    for body, path in spoilt(schema, template):
        assert not checker.is_valid(body), body  # each really breaks the document's schema
        answer = api(route.method, concrete(route.rule, world), body)
        error = answer.get_json()
        assert answer.status_code == 422, (body, error)
        assert error["field"] == field_name(path), (body, error)
    assert row_counts(session) == before


@pytest.mark.parametrize(
    ("rule", "value", "code", "message"),
    [
        ({"enum": ["cash", "card"]}, "CASH", "bad_choice", "x is one of cash, card"),
        ({"type": "integer", "minimum": 1}, 0, "out_of_range",
            "x must be a whole number of at least 1"),
        ({"type": "string", "minLength": 1}, "", "required", "x is required"),
        ({"type": "number", "minimum": 0}, -1, "out_of_range", "x is out of range"),
        ({"type": "boolean"}, "yes", "bad_type", "x is true or false"),
        ({"type": "array", "maxItems": 1}, [1, 2], "too_many", "x holds at most 1"),
    ],
)  # fmt: skip
def test_any_schema_of_obj_answers_in_the_api_s_words(rule, value, code, message):
    """A body another module declares with ``obj(...)`` gets the same kind of answers."""
    from api.errors import ApiError
    from api.schemas import obj
    from api.validation import validate

    schema = obj((), x=rule, nested=obj(("y",), y={"type": "string"}))
    with pytest.raises(ApiError) as refused:
        validate(schema, {"x": value})
    assert (refused.value.code, refused.value.message, refused.value.field) == (code, message, "x")
    with pytest.raises(ApiError) as refused:
        validate(schema, {"nested": {"z": 1}})
    assert (refused.value.code, refused.value.field) == ("unknown_field", "nested.z")


def test_a_view_may_still_name_its_fields_and_choices():
    """The reading helpers keep the calls views were written with."""
    from api.errors import ApiError
    from api.parsing import Body

    body = Body({"method": "Cash", "period": {"start": "2025-01-06"}}, ("method", "period"))
    assert body.choice("method", ("cash", "mobile_money"), required=False) == "cash"
    assert Body(body.raw("period"), ("start",), "period").date("start").isoformat() == "2025-01-06"
    with pytest.raises(ApiError) as refused:
        Body({"extra": 1}, ("method",))
    assert refused.value.code == "unknown_field"
