"""Flags (``/console/flags``): the warnings raised about purchases of the cooperatives in
scope, newest first, filtered by review status, with the numbers behind each; one flag's page
with who reviewed it, when and why, and for a coordinator of its cooperative the form that
confirms or dismisses it (``ledger.evidence.review``). Its buyer reads, never reviews."""

from __future__ import annotations

import json

from flask import redirect, request, url_for
from sqlalchemy import or_, select

from console import auth
from console.errors import say
from console.forms import FlagReviewForm
from console.i18n import gettext
from console.pages import bp, out_of_scope, paginate, render
from console.words import FLAG_STATUS
from ledger import access, authors, db
from ledger.errors import LedgerError
from ledger.evidence import review
from ledger.models import Flag, FlagKind, FlagStatus, Group, Member, Purchase, Site
from locales import _

KINDS = {
    "site_capacity": _("Above the site's capacity"),
    "miner_outlier": _("Far above the other miners"),
    "unregistered_seller": _("Seller not registered"),
    "multi_site_day": _("Several sites in one day"),
    "site_status": _("Site not inspected or red"),
    "price_above_posted": _("Price above the posted price"),
    "underpayment": _("Price below the posted price"),
    "payout_unknown": _("Mobile money payout not settled"),
    "cash_count_difference": _("Box counted differs from the books"),
    "incident": _("incident reported"),
}
#: Highest flag id the books can hold (a larger number is no flag).
MAX_ID = 2**31 - 1


def _words() -> dict:
    return {
        "kinds": {k: gettext(v) for k, v in KINDS.items()},
        "statuses": {k: gettext(v) for k, v in FLAG_STATUS.items()},
    }


@bp.get("/flags")
def flags():
    session = db.session()
    coops = access.cooperative_ids(session, auth.actor())
    if not coops:
        out_of_scope()
    # A report may be about the buyer: its flag is for the cooperative's coordinators only.
    follows = [c for c in coops if access.may_follow_incidents(auth.actor(), c)]
    query = select(Flag).where(
        Flag.cooperative_id.in_(coops),
        or_(Flag.kind != FlagKind.INCIDENT, Flag.cooperative_id.in_(follows)),
    )
    status = request.args.get("status", "")
    if status in FLAG_STATUS:
        query = query.where(Flag.status == FlagStatus(status))
    else:
        status = ""
    page = paginate(query.order_by(Flag.id.desc()))
    site_ids = {f.site_id for f in page.items if f.site_id}
    sites = dict(session.execute(select(Site.id, Site.code).where(Site.id.in_(site_ids))).all())
    details = {f.id: json.loads(f.details) for f in page.items}
    names = {f.reviewed_by: authors.label(session, f.reviewed_by) for f in page.items}
    return render(
        "flags.html",
        page=page,
        sites=sites,
        details=details,
        names=names,
        status=status,
        **_words(),
    )


def flag_in_scope(number: int) -> Flag:
    """The flag if the caller may read it (its cooperative's buyer or coordinator)."""
    session = db.session()
    found = session.get(Flag, number) if 0 < number <= MAX_ID else None
    if found is None:
        out_of_scope()
    actor = auth.actor()
    group = session.get(Group, found.group_id) if found.group_id else None
    if not (
        access.may_act_for_cooperative(actor, found.cooperative_id)
        if group is None
        else access.may_see_group_flags(actor, group)
    ):
        out_of_scope()
    return found


def _page(found: Flag, form: FlagReviewForm, status: int = 200):
    session = db.session()
    coordinates = access.may_review_flags(
        auth.actor(), access.reviewing_cooperative(session, found)
    )
    miner = session.get(Member, found.member_id) if found.member_id and coordinates else None
    purchase = session.get(Purchase, found.purchase_id) if found.purchase_id else None
    site = session.get(Site, found.site_id) if found.site_id else None
    return (
        render(
            "flag.html",
            flag=found,
            form=form,
            may_review=coordinates,
            details=json.loads(found.details),
            miner=miner,
            purchase=purchase,
            site=site,
            reviewer=authors.label(session, found.reviewed_by),
            **_words(),
        ),
        status,
    )


@bp.get("/flags/<int:number>")
def flag(number: int):
    found = flag_in_scope(number)
    form = FlagReviewForm()
    form.status.data = found.status.value
    return _page(found, form)


@bp.post("/flags/<int:number>")
def review_flag(number: int):
    session = db.session()
    found = flag_in_scope(number)
    if not access.may_review_flags(auth.actor(), access.reviewing_cooperative(session, found)):
        out_of_scope()
    form = FlagReviewForm()
    if not form.validate_on_submit():
        return _page(found, form, 400)
    try:
        note = (form.note.data or "").replace("\x00", "")
        review.review(session, found, form.status.data or "", note)
    except LedgerError as exc:
        session.rollback()
        form._fields.get(exc.field or "", form.status).errors = [say(exc)]
        return _page(flag_in_scope(number), form, 422)
    session.commit()
    return redirect(url_for("console.flag", number=found.id, saved=1))
