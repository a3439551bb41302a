"""The OpenAPI document matches the routes the application really serves."""

from __future__ import annotations

import re

from api.routes import ROUTES

IGNORED_METHODS = {"HEAD", "OPTIONS"}


def served(app) -> set[tuple[str, str]]:
    out = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1"):
            path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule)
            out |= {(method, path) for method in rule.methods - IGNORED_METHODS}
    return out


def test_every_served_route_is_documented_and_nothing_else(app, client):
    answer = client.get("/api/v1/openapi.json")
    assert answer.status_code == 200
    assert answer.mimetype == "application/json"
    doc = answer.get_json()
    documented = {(method.upper(), path) for path, item in doc["paths"].items() for method in item}
    assert served(app) == documented
    assert len(documented) == len(ROUTES)


def test_the_contract_paths_are_there(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path, method in [
        ("/api/v1/cooperatives", "post"),
        ("/api/v1/sites", "post"),
        ("/api/v1/groups", "post"),
        ("/api/v1/members", "post"),
        ("/api/v1/members", "get"),
        ("/api/v1/members/{phone}", "get"),
        ("/api/v1/members/{phone}", "patch"),
        ("/api/v1/members/import", "post"),
        ("/api/v1/groups/{code}/meetings", "post"),
        ("/api/v1/groups/{code}/share-out", "post"),
        ("/api/v1/members/{phone}/statement", "get"),
        ("/api/v1/purchases", "post"),
        ("/api/v1/prices", "post"),
        ("/api/v1/openapi.json", "get"),
        ("/api/v1/members/{member_id}/enrolment-code", "post"),
    ]:
        assert method in paths[path], (method, path)


def test_the_document_is_well_formed(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    secret = {route.endpoint for route in ROUTES if route.secret}
    assert doc["openapi"].startswith("3.")
    assert doc["components"]["securitySchemes"]["bearer"] == {"type": "http", "scheme": "bearer"}
    operation_ids = []
    for path, item in doc["paths"].items():
        for method, op in item.items():
            operation_ids.append(op["operationId"])
            assert op["summary"]
            assert any(code.startswith("2") for code in op["responses"])
            names = {p["name"] for p in op.get("parameters", []) if p["in"] == "path"}
            assert names == set(re.findall(r"{([a-z_]+)}", path))
            if method == "post" and path != "/api/v1/openapi.json":
                assert "requestBody" in op, path
                # an answer holding a secret is never kept for a replay
                honoured = any(p["name"] == "Idempotency-Key" for p in op.get("parameters", []))
                assert honoured == (op["operationId"] not in secret), path
                assert "401" in op["responses"] and "422" in op["responses"]
    assert len(operation_ids) == len(set(operation_ids))
