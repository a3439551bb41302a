"""A route of the API: its method, rule, view, roles and schemas, and the handler that
authenticates, checks the body against its schema and runs the view (``api.routes`` holds
the table)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from flask import Blueprint, Response, g

from api import auth, idempotency, parsing, schemas
from api.errors import json_response
from ledger import authors, db
from ledger.models import ApiRole, ApiToken

ALL = frozenset(ApiRole)
COORDINATOR = frozenset({ApiRole.COORDINATOR})
OFFICER = frozenset({ApiRole.COORDINATOR, ApiRole.OFFICER})
BUYER = frozenset({ApiRole.COORDINATOR, ApiRole.BUYER})


@dataclass(frozen=True)
class Route:
    method: str
    #: Flask rule under ``/api/v1`` (``<code>`` becomes ``{code}`` in the document).
    rule: str
    view: Callable[..., object]
    #: Token roles allowed at all (finer scope is checked by the view); None: no token needed.
    roles: frozenset[ApiRole] | None
    summary: str
    #: JSON schema of the request body, or None.
    body: dict | None = None
    #: Success status and JSON schema of its body.
    status: int = 200
    answer: dict = field(default_factory=lambda: schemas.ANY)
    query: tuple[tuple[str, str], ...] = ()
    #: Other media types the body may come in (the CSV import).
    media: tuple[str, ...] = ("application/json",)
    #: The answer holds a secret (an enrolment code): never stored for an
    #: ``Idempotency-Key`` replay, and sent with ``Cache-Control: no-store``.
    secret: bool = False

    @property
    def json_body(self) -> bool:
        """The body is JSON, checked against ``body`` before the view runs."""
        return self.body is not None and "application/json" in self.media

    @property
    def body_required(self) -> bool:
        """A POST whose fields are all optional takes an empty body too."""
        return self.method != "POST" or self.body.get("required") != []

    @property
    def endpoint(self) -> str:
        """``groups_post_record_meeting``: the Flask endpoint and the OpenAPI operationId."""
        noun = self.view.__module__.rsplit(".", 1)[1]
        return f"{noun}_{self.method.lower()}_{self.view.__name__}"


def _call(route: Route, token: ApiToken, path: dict[str, str]):
    """The view, once the body has passed the route's schema (``parsing.body()`` reads it)."""
    if route.json_body:
        g.api_body = parsing.read_body(route.body, allow_empty=not route.body_required)
    return route.view(token, **path)


def _handler(route: Route) -> Callable[..., Response]:
    def view(**path: str) -> Response:
        if route.roles is None:
            return route.view(**path)
        token = auth.authenticate()
        auth.require_role(token, route.roles)
        authors.record_as(db.session(), authors.Author("token", token.id))
        if route.secret:
            status, payload = _call(route, token, path)
            db.session().commit()
            return json_response(status, payload, {"Cache-Control": "no-store"})
        if route.method in ("POST", "PATCH"):
            return idempotency.run(token, lambda: _call(route, token, path))
        answer = route.view(token, **path)
        db.session().rollback()  # a read keeps no transaction open
        if isinstance(answer, Response):  # another media type (a CSV report)
            return answer
        status, payload = answer
        return json_response(status, payload)

    view.__name__ = f"{route.method.lower()}_{route.view.__name__}"
    view.__doc__ = route.summary
    return view


def register_routes(api: Blueprint, routes: tuple[Route, ...]) -> None:
    for route in routes:
        api.add_url_rule(
            route.rule,
            endpoint=route.endpoint,
            view_func=_handler(route),
            methods=[route.method],
        )
