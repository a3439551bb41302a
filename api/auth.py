"""Bearer tokens and scopes: who is calling, and what they may touch.

The rules themselves live in ``ledger.access`` (shared with the USSD and the console); this
module turns them into HTTP answers. Missing or wrong token: 401. Right token, wrong scope
on a group or cooperative: 403. A member outside the scope is answered as an unknown one
(404 in the path, 422 in a body), so no answer tells who exists elsewhere.
"""

from __future__ import annotations

from flask import g, request

from api.errors import ApiError
from api.tokens import verify_token
from ledger import access, db
from ledger.models import ApiRole, ApiToken, Group, Member

COORDINATOR, OFFICER, BUYER = ApiRole.COORDINATOR, ApiRole.OFFICER, ApiRole.BUYER


def authenticate() -> ApiToken:
    scheme, _, secret = request.headers.get("Authorization", "").strip().partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise ApiError(401, "unauthorized", "send the header Authorization: Bearer <token>")
    token = verify_token(db.session(), secret.strip())
    if token is None:
        raise ApiError(401, "unauthorized", "unknown or revoked token")
    g.api_token = token
    return token


def actor(token: ApiToken) -> access.Actor:
    return access.for_token(token)


def require_role(token: ApiToken, roles: frozenset[ApiRole]) -> None:
    if token.role not in roles:
        raise ApiError(403, "forbidden", f"a {token.role.value} token may not do this")


def forbid(what: str) -> ApiError:
    return ApiError(403, "forbidden", f"this token is not for {what}")


def require_group(token: ApiToken, group: Group | None) -> None:
    """Officers act on their own group only; buyers on no group."""
    if not access.may_act_for_group(actor(token), group):
        raise forbid("this group")


def require_cooperative(token: ApiToken, cooperative_id: int | None) -> None:
    """Buyers act for their own cooperative only; officers for none."""
    if not access.may_act_for_cooperative(actor(token), cooperative_id):
        raise forbid("this cooperative")


def may_see_member(token: ApiToken, member: Member) -> bool:
    return access.may_see_member(actor(token), member)


def sees_fully(token: ApiToken, member: Member) -> bool:
    return access.view_of(actor(token), member) == access.View.FULL
