"""Bearer tokens and scopes: who is calling, and what they may touch.

A coordinator sees and writes everything; an officer only their group (its members,
meetings, share-out and statements); a buyer only purchases and prices of their cooperative.
Missing or wrong token: 401. Right token, wrong scope: 403.
"""

from __future__ import annotations

from flask import g, request

from api.errors import ApiError
from api.tokens import verify_token
from ledger import db
from ledger.models import ApiRole, ApiToken, Member

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


def require_role(token: ApiToken, roles: frozenset[ApiRole]) -> None:
    if token.role not in roles:
        raise ApiError(403, "forbidden", f"a {token.role.value} token may not do this")


def forbid(what: str) -> ApiError:
    return ApiError(403, "forbidden", f"this token is not for {what}")


def require_group(token: ApiToken, group_id: int | None) -> None:
    """Officers act on their own group only; buyers on no group."""
    if token.role == COORDINATOR:
        return
    if token.role != OFFICER or group_id is None or token.group_id != group_id:
        raise forbid("this group")


def require_cooperative(token: ApiToken, cooperative_id: int | None) -> None:
    """Buyers act for their own cooperative only; officers for none."""
    if token.role == COORDINATOR:
        return
    if token.role != BUYER or cooperative_id is None or token.cooperative_id != cooperative_id:
        raise forbid("this cooperative")


def may_see_member(token: ApiToken, member: Member) -> bool:
    if token.role == COORDINATOR:
        return True
    if token.role == OFFICER:
        return member.group_id is not None and member.group_id == token.group_id
    return member.cooperative_id is not None and member.cooperative_id == token.cooperative_id


def require_member(token: ApiToken, member: Member) -> None:
    if not may_see_member(token, member):
        raise forbid("this member")
