"""Tokens: the command that makes them, how they are stored, and 401 for anything else."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select

from api.routes import ROUTES
from api.tokens import revoke_token
from ledger.models import ApiRole, ApiToken
from tests.api.conftest import check_answer


def _path(rule: str) -> str:
    return "/api/v1" + rule.replace("<code>", "VSLA1").replace("<phone>", "+243810000001").replace(
        "<receipt_number>", "R1"
    )


@pytest.mark.parametrize(
    ("args", "role", "scope"),
    [
        (["Neema", "--role", "coordinator"], ApiRole.COORDINATOR, (None, None)),
        (["Secr", "--role", "officer", "--group", "vsla1"], ApiRole.OFFICER, ("group", None)),
        (["Achat", "--role", "buyer", "--cooperative", "COOPBUNIA"], ApiRole.BUYER, (None, "coop")),
    ],
)
def test_token_create_prints_the_token_alone_on_the_last_line(
    runner, client, session, world, args, role, scope
):
    result = runner.invoke(args=["token", "create", *args])
    assert result.exit_code == 0, result.output
    secret = result.output.strip().splitlines()[-1]
    assert " " not in secret and len(secret) > 40
    token = session.scalar(select(ApiToken).where(ApiToken.name == args[0]))
    assert token.role == role
    assert token.group_id == (world.group.id if scope[0] else None)
    assert token.cooperative_id == (world.coop.id if scope[1] else None)
    # Stored hashed: the secret itself appears nowhere in the row.
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in {token.name, token.token_hash}
    answer = client.get(
        "/api/v1/members",
        query_string={"phone": "+243810000001"},
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert answer.status_code == 200


@pytest.mark.parametrize(
    "args",
    [
        ["X", "--role", "officer"],  # an officer needs a group
        ["X", "--role", "buyer"],  # a buyer needs a cooperative
        ["X", "--role", "buyer", "--cooperative", "NOPE"],
        ["X", "--role", "officer", "--group", "NOPE"],
        ["X", "--role", "coordinator", "--group", "VSLA1"],
        ["X", "--role", "officer", "--group", "VSLA1", "--cooperative", "COOPBUNIA"],
        ["X", "--role", "king"],
        ["", "--role", "coordinator"],
        ["X", "--role", "officer", "--group", "bad code!"],
    ],
)
def test_token_create_refuses_bad_scopes(runner, session, world, args):
    before = session.query(ApiToken).count()
    result = runner.invoke(args=["token", "create", *args])
    assert result.exit_code != 0
    session.rollback()
    assert session.query(ApiToken).count() == before


def test_token_revoke(runner, api, world, session):
    assert api("GET", "/groups/VSLA1").status_code == 200
    result = runner.invoke(args=["token", "revoke", str(world.token_ids["coordinator"])])
    assert result.exit_code == 0, result.output
    answer = api("GET", "/groups/VSLA1")
    assert answer.status_code == 401
    assert answer.headers["WWW-Authenticate"] == "Bearer"
    assert runner.invoke(args=["token", "revoke", "9999"]).exit_code != 0


PROTECTED = [r for r in ROUTES if r.roles is not None]


AUTHORIZATIONS = [
    None,
    "",
    "Bearer",
    "Bearer ",
    "Basic dXNlcjpwYXNz",
    "Bearer sdk_not-a-real-token",
    "Bearer " + "x" * 5000,
    "Token {coordinator}",
    "{coordinator}",
]


@pytest.mark.parametrize("route", PROTECTED, ids=lambda r: f"{r.method} {r.rule}")
def test_every_protected_route_wants_a_valid_bearer_token(client, world, route):
    for authorization in AUTHORIZATIONS:
        headers = {}
        if authorization is not None:
            headers["Authorization"] = authorization.format(**world.tokens)
        answer = client.open(
            _path(route.rule),
            method=route.method,
            headers=headers,
            data=b"{}",
            content_type="application/json",
        )
        check_answer(answer)
        assert answer.status_code == 401, authorization
        assert answer.get_json()["code"] == "unauthorized"


def test_a_revoked_token_is_refused_everywhere(client, world, session):
    revoke_token(session, world.token_ids["buyer"])
    session.commit()
    for route in PROTECTED:
        answer = client.open(
            _path(route.rule),
            method=route.method,
            data=b"{}",
            content_type="application/json",
            headers={"Authorization": f"Bearer {world.tokens['buyer']}"},
        )
        check_answer(answer)
        assert answer.status_code == 401, route
