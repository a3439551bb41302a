"""Flags (``/console/flags``): the warnings raised about purchases of the cooperatives in
scope, newest first, with the numbers behind each. Read only: reviewing a flag needs a
flag state in the books, which they do not keep yet."""

from __future__ import annotations

import json

from sqlalchemy import or_, select

from console import auth
from console.i18n import gettext
from console.pages import bp, out_of_scope, paginate, render
from ledger import access, db
from ledger.models import Flag, FlagKind, Site
from locales import _

KINDS = {
    "site_capacity": _("Above the site's capacity"),
    "miner_outlier": _("Far above the other miners"),
    "unregistered_seller": _("Seller not registered"),
    "multi_site_day": _("Several sites in one day"),
    "site_status": _("Site not inspected or red"),
    "price_above_posted": _("Price above the posted price"),
}


@bp.get("/flags")
def flags():
    session = db.session()
    coops = access.cooperative_ids(session, auth.actor())
    if not coops:
        out_of_scope()
    # A report may be about the buyer: its flag is for the cooperative's coordinators only.
    follows = [c for c in coops if access.may_follow_incidents(auth.actor(), c)]
    page = paginate(
        select(Flag)
        .where(
            Flag.cooperative_id.in_(coops),
            or_(Flag.kind != FlagKind.INCIDENT, Flag.cooperative_id.in_(follows)),
        )
        .order_by(Flag.id.desc())
    )
    site_ids = {f.site_id for f in page.items if f.site_id}
    sites = dict(session.execute(select(Site.id, Site.code).where(Site.id.in_(site_ids))).all())
    details = {f.id: json.loads(f.details) for f in page.items}
    kinds = {k: gettext(v) for k, v in KINDS.items()}
    return render("flags.html", page=page, sites=sites, details=details, kinds=kinds)
