"""A small world for the API: two cooperatives, sites, two groups, members, and a token for
every role and scope. ``api`` sends requests and checks every answer is JSON, never a 5xx."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal

import pytest

from api.tokens import create_token
from ledger.models import SiteStatus
from tests import factories

#: Role-and-scope names used in the tests' tables.
ROLES = ("coordinator", "officer", "officer_other", "buyer", "buyer_other")


@dataclass
class World:
    coop: object
    other_coop: object
    site: object
    other_site: object
    red_site: object
    group: object
    other_group: object
    members: list
    miner: object
    tokens: dict[str, str] = field(default_factory=dict)
    token_ids: dict[str, int] = field(default_factory=dict)


@pytest.fixture
def world(session) -> World:
    coop = factories.cooperative(session)
    other_coop = factories.cooperative(session, "COOPMAMBASA", "Cooperative de Mambasa")
    site = factories.site(session, coop, "SITE1")
    other_site = factories.site(session, other_coop, "SITE2")
    red_site = factories.site(session, coop, "REDSITE", status=SiteStatus.RED)
    group = factories.group(session, coop, "VSLA1")
    other_group = factories.group(session, coop, "VSLA2")
    members = [factories.member(session, group, name=f"Amani {n}") for n in "ABC"]
    miner = factories.member(session, roles="member,miner", site=site, coop=coop, name="Mineur")
    w = World(coop, other_coop, site, other_site, red_site, group, other_group, members, miner)
    scopes = {
        "coordinator": ("coordinator", {}),
        "officer": ("officer", {"group": group}),
        "officer_other": ("officer", {"group": other_group}),
        "buyer": ("buyer", {"cooperative": coop}),
        "buyer_other": ("buyer", {"cooperative": other_coop}),
    }
    for name, (role, scope) in scopes.items():
        token, secret = create_token(session, name, role, **scope)
        w.tokens[name] = secret
        w.token_ids[name] = token.id
    session.commit()
    return w


def _encode(value):
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(type(value))


class Api:
    def __init__(self, client, world: World):
        self.client = client
        self.world = world

    def __call__(
        self,
        method: str,
        path: str,
        body: object = None,
        *,
        as_: str | None = "coordinator",
        raw: bytes | str | None = None,
        headers: dict | None = None,
        content_type: str = "application/json",
        query: dict | None = None,
    ):
        sent = dict(headers or {})
        if as_ is not None:
            sent.setdefault("Authorization", f"Bearer {self.world.tokens[as_]}")
        data = (
            raw
            if raw is not None
            else (None if body is None else json.dumps(body, default=_encode))
        )
        response = self.client.open(
            "/api/v1" + path,
            method=method,
            data=data,
            headers=sent,
            content_type=content_type,
            query_string=query,
        )
        check_answer(response)
        return response


def check_answer(response) -> None:
    """Every answer is JSON and no client input is a server error."""
    assert response.status_code < 500, response.get_data(as_text=True)
    assert response.mimetype == "application/json", response.get_data(as_text=True)[:200]
    payload = response.get_json()
    if response.status_code >= 400:
        assert isinstance(payload.get("error"), str) and payload["error"]
        assert isinstance(payload.get("code"), str)


@pytest.fixture
def api(client, world) -> Api:
    return Api(client, world)
