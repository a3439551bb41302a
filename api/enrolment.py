"""Enrolment codes: a coordinator, or an officer of the member's group, issues a member a
one-time code to choose a PIN with (``ledger.enrolment``). The code is in this answer only:
it is stored as a keyed hash, and the answer is never kept for an ``Idempotency-Key`` replay
(a retry issues a new code, which voids the lost one)."""

from __future__ import annotations

from api.errors import ApiError
from ledger import db, enrolment
from ledger.models import ApiRole, ApiToken, Member


def _member(token: ApiToken, member_id: str) -> Member:
    """The member in the path; unknown and out-of-scope ids are the same 404, with no name."""
    missing = ApiError(404, "unknown_member", "no such member", "member_id")
    if not member_id.isascii() or not member_id.isdigit() or len(member_id) > 9:
        raise missing
    member = db.session().get(Member, int(member_id))
    if member is None:
        raise missing
    if token.role == ApiRole.OFFICER and (
        member.group_id is None or member.group_id != token.group_id
    ):
        raise missing
    return member


def issue_code(token: ApiToken, member_id: str) -> tuple[int, object]:
    member = _member(token, member_id)
    issued = enrolment.issue(db.session(), member, token_id=token.id)
    return 201, {
        "member_id": member.id,
        "code": issued.code,
        "expires_at": issued.expires_at,
        "sms": issued.texted,
    }
