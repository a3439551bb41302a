"""Mine sites over time: a new inspection's status, a new capacity, and the history of both
(who, when, from, to, why). A coordinator changes a site; a buyer of its cooperative reads it."""

from __future__ import annotations

from api import auth, lookup, schemas
from api.errors import ApiError
from api.gold import capacity_mg, site_json
from api.parsing import Body, read_json
from ledger import authors, db, gold, sites
from ledger.models import ApiToken, Site


def _site(token: ApiToken, code: str) -> Site:
    site = lookup.site(code, "code", status=404)
    auth.require_cooperative(token, site.cooperative_id)
    return site


def _with_history(site: Site) -> dict:
    session = db.session()
    return {
        **site_json(site),
        "history": [
            sites.change_as_dict(change, authors.label(session, change.recorded_by))
            for change in sites.history(session, site)
        ],
    }


def show(token: ApiToken, code: str) -> tuple[int, object]:
    return 200, _with_history(_site(token, code))


def update(token: ApiToken, code: str) -> tuple[int, object]:
    """``{status, inspected_on, deadline?, note}`` and/or ``{capacity_grams_per_month}``."""
    site = _site(token, code)
    body = Body(read_json(), tuple(schemas.SITE_PATCH["properties"]))
    if not body.has("status") and not body.has("capacity_grams_per_month"):
        raise ApiError(422, "required", "give status or capacity_grams_per_month", "status")
    session, today = db.session(), gold.local_day()
    note = body.text("note", required=False, max_length=200)
    if body.has("status"):
        status = body.choice("status", tuple(schemas.SITE_PATCH["properties"]["status"]["enum"]))
        inspected_on = body.date("inspected_on", latest=today)
        deadline = body.date("deadline", required=False)
        sites.change_status(
            session,
            site,
            status,
            inspected_on=inspected_on,
            deadline=deadline,
            today=today,
            note=note,
        )
    elif body.has("inspected_on") or body.has("deadline"):
        raise ApiError(422, "required", "inspected_on and deadline go with a status", "status")
    if body.has("capacity_grams_per_month"):
        sites.change_capacity(session, site, capacity_mg(body), note)
    return 200, _with_history(site)
