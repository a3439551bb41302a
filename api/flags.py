"""Flags people act on: ``PATCH /flags/{id}`` confirms or dismisses one (who and when are
kept). A flag outside the caller's cooperatives is answered as one that does not exist."""

from __future__ import annotations

from api import auth, schemas
from api.errors import ApiError
from api.parsing import Body, read_json
from ledger import access, db
from ledger.evidence import flags, review
from ledger.models import ApiToken, Flag

MAX_FLAG_ID = 2**31 - 1


def update(token: ApiToken, flag_id: str) -> tuple[int, object]:
    """``{status: confirmed | dismissed | open, note}``; dismissing needs a note."""
    session = db.session()
    data = read_json()  # a malformed body is a 400 whatever the id
    number = int(flag_id) if flag_id.isascii() and flag_id.isdigit() and len(flag_id) < 11 else 0
    flag = session.get(Flag, number) if 0 < number <= MAX_FLAG_ID else None
    if flag is None or not access.may_review_flags(
        auth.actor(token), access.reviewing_cooperative(session, flag)
    ):
        raise ApiError(404, "unknown_flag", "no such flag")
    body = Body(data, tuple(schemas.FLAG_REVIEW["properties"]))
    status = body.choice("status", tuple(schemas.FLAG_REVIEW["properties"]["status"]["enum"]))
    review.review(session, flag, status, body.text("note", required=False, max_length=200))
    return 200, flags.flag_as_dict(flag)
