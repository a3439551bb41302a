"""The OpenAPI 3.1 document, built from the route table (``routes.ROUTES``, which lists this
document's own route: the table is handed over, never imported, so the two modules make no
circle)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from flask import Response

from api import schemas
from api.errors import json_response

_PARAM = re.compile(r"<(?:[a-z]+:)?([a-z_]+)>")

#: Answers every route may give besides its success.
_ERRORS = {
    "400": "malformed request (bad JSON, bad header)",
    "401": "missing or wrong token",
    "403": "the token's role or scope does not allow this",
    "404": "no such resource",
    "409": "clashes with what exists, or a shared phone needs member_id",
    "413": "body larger than 1 MiB",
    "422": "a field is invalid or a rule of the books refuses it",
}


def openapi_path(rule: str) -> str:
    """``/groups/<code>/meetings`` -> ``/api/v1/groups/{code}/meetings``."""
    return "/api/v1" + _PARAM.sub(r"{\1}", rule)


def _operation(route) -> dict:
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    op: dict = {
        "summary": route.summary,
        "operationId": route.endpoint,
        "responses": {
            str(route.status): {
                "description": "success",
                "content": {"application/json": {"schema": route.answer}},
            },
            **{code: {"description": text, "content": error} for code, text in _ERRORS.items()},
        },
    }
    if route.roles is None:
        op["security"] = []
        op["responses"] = {"200": op["responses"]["200"]}
    else:
        roles = ", ".join(sorted(r.value for r in route.roles))
        op["description"] = f"Tokens: {roles}."
    parameters = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in _PARAM.findall(route.rule)
    ]
    parameters += [
        {
            "name": name,
            "in": "query",
            "required": False,
            "description": text,
            "schema": {"type": "string"},
        }
        for name, text in route.query
    ]
    if route.method == "POST" and not route.secret:
        parameters.append(
            {
                "name": "Idempotency-Key",
                "in": "header",
                "required": False,
                "description": "a retry with the same key gets the first answer back",
                "schema": {"type": "string", "maxLength": 80},
            }
        )
    if parameters:
        op["parameters"] = parameters
    if route.body is not None:
        op["requestBody"] = {
            "required": route.body_required,
            "content": {media: {"schema": route.body} for media in route.media},
        }
    return op


def build(routes: Sequence) -> dict:
    paths: dict[str, dict] = {}
    for route in routes:
        paths.setdefault(openapi_path(route.rule), {})[route.method.lower()] = _operation(route)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "sanduku coordinator API",
            "version": "1",
            "description": (
                "Savings groups and gold purchases in Ituri. Money amounts are major units "
                "(francs, dollars) as JSON numbers or strings, read exactly (never as floats); "
                "answers give them as decimal strings. A null field is the same as leaving it "
                'out. Errors are {"error", "code", "field"}; a schema\'s x-code is the code '
                "its failures answer with."
            ),
        },
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {"Error": schemas.ERROR},
        },
        "paths": paths,
    }


def document_view(routes: Callable[[], Sequence]) -> Callable[[], Response]:
    """The view serving the document of ``routes()`` (read when the document is asked for)."""

    def document() -> Response:
        return json_response(200, build(routes()))

    return document
