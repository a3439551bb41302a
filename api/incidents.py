"""Incident reports for the coordinators who follow them: ``GET /incidents`` (``?status=``)
and ``PATCH /incidents/{id}`` to confirm or dismiss one. The reporter is shown unless the
report is anonymous. A report outside the caller's cooperatives does not exist for them."""

from __future__ import annotations

from flask import request

from api import auth
from api.errors import ApiError
from api.parsing import request_body, whole_number
from ledger import db, incidents
from ledger.evidence import review
from ledger.models import ApiToken, Incident

MAX_PAGE = 500
DEFAULT_PAGE = 100
MAX_INCIDENT_ID = 2**31 - 1


def listing(token: ApiToken) -> tuple[int, object]:
    """Newest first; ``status`` open, confirmed or dismissed; pages with ``before_id``."""
    args = request.args
    status = review.parse_status(args["status"]) if args.get("status") else None
    limit = whole_number(args.get("limit", str(DEFAULT_PAGE)), "limit", 1, MAX_PAGE)
    before = args.get("before_id")
    session = db.session()
    found = incidents.list_incidents(
        session,
        auth.actor(token),
        status=status,
        limit=limit,
        before_id=whole_number(before, "before_id", 1, MAX_INCIDENT_ID) if before else None,
    )
    return 200, {
        "incidents": [incidents.as_dict(session, i) for i in found],
        "next_before_id": found[-1].id if len(found) == limit else None,
    }


def update(token: ApiToken, incident_id: str) -> tuple[int, object]:
    """``{status: confirmed | dismissed | open, note}``; dismissing needs a note."""
    session = db.session()
    body = request_body()
    ok = incident_id.isascii() and incident_id.isdigit() and len(incident_id) < 11
    number = int(incident_id) if ok else 0
    incident = session.get(Incident, number) if 0 < number <= MAX_INCIDENT_ID else None
    if incident is None or not incidents.may_see(auth.actor(token), incident):
        raise ApiError(404, "unknown_incident", "no such incident")
    incidents.review_incident(
        session, incident, body.choice("status"), body.text("note", required=False)
    )
    return 200, incidents.as_dict(session, incident)
