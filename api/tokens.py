"""API tokens: created once and shown once, stored only as a SHA-256 hash.

A token is 32 random bytes (256 bits), so a plain hash is enough: there is nothing to
guess or brute-force, and looking a token up by its hash needs no constant-time compare.
"""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.errors import LedgerError
from ledger.members import clean_name
from ledger.models import ApiRole, ApiToken, Cooperative, Group, utcnow

#: Prefix that makes a leaked token recognisable in logs and by secret scanners.
TOKEN_PREFIX = "sdk_"

#: Longest token we bother hashing; anything longer is not ours.
MAX_TOKEN_LENGTH = 128


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def create_token(
    session: Session,
    name: object,
    role: object,
    *,
    group: Group | None = None,
    cooperative: Cooperative | None = None,
) -> tuple[ApiToken, str]:
    """A new token and its secret (shown once). An officer's token is for one group, a
    buyer's for one cooperative; a coordinator's for the whole deployment."""
    try:
        api_role = ApiRole(role)
    except ValueError:
        roles = ", ".join(r.value for r in ApiRole)
        raise LedgerError("bad_role", f"role must be one of {roles}", "role") from None
    if api_role == ApiRole.OFFICER and (group is None or cooperative is not None):
        raise LedgerError("scope", "an officer's token is for one group (--group)", "group")
    if api_role == ApiRole.BUYER and (cooperative is None or group is not None):
        raise LedgerError(
            "scope", "a buyer's token is for one cooperative (--cooperative)", "cooperative"
        )
    if api_role == ApiRole.COORDINATOR and (group is not None or cooperative is not None):
        raise LedgerError("scope", "a coordinator's token is for the whole deployment", "role")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        name=clean_name(name),
        role=api_role,
        token_hash=hash_token(secret),
        group_id=group.id if group else None,
        cooperative_id=cooperative.id if cooperative else None,
    )
    session.add(token)
    session.flush()
    return token, secret


def verify_token(session: Session, secret: object) -> ApiToken | None:
    """The live token with this secret, or None."""
    if not isinstance(secret, str) or not 0 < len(secret) <= MAX_TOKEN_LENGTH:
        return None
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(secret)))
    if token is None or token.revoked_at is not None:
        return None
    return token


def revoke_token(session: Session, token_id: int) -> ApiToken:
    token = session.get(ApiToken, token_id)
    if token is None:
        raise LedgerError("unknown_token", f"no token {token_id}", "id")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
    session.flush()
    return token
