"""Sites (``/console/sites``): the mine sites of the cooperatives in scope, each with its
ICGLR status as it counts today (a green rating expires to blue after a year, a yellow site
past its deadline counts as red) and its capacity; one site's history of both, with who, when
and why. A coordinator of the site's cooperative records a new inspection or capacity
(``ledger.sites``); its buyer reads."""

from __future__ import annotations

from flask import redirect, url_for
from sqlalchemy import select

from console import auth
from console.errors import say
from console.forms import SiteCapacityForm, SiteStatusForm
from console.i18n import gettext
from console.pages import bp, by_code, out_of_scope, paginate, render
from ledger import access, authors, db, gold, sites, units
from ledger.days import parse_day
from ledger.errors import LedgerError
from ledger.models import Site
from ledger.money import to_decimal
from locales import _

#: The ICGLR colours, as a coordinator reads them.
COLOURS = {
    "green": _("Green"),
    "yellow": _("Yellow"),
    "red": _("Red"),
    "blue": _("Blue (not inspected)"),
}
#: The most a site may be said to produce a month, in grams (as the API).
MAX_CAPACITY_GRAMS = 1_000_000


def colours() -> dict[str, str]:
    return {k: gettext(v) for k, v in COLOURS.items()}


@bp.get("/sites")
def site_list():
    coops = access.cooperative_ids(db.session(), auth.actor())
    if not coops:
        out_of_scope()
    page = paginate(
        select(Site).where(Site.cooperative_id.in_(coops)).order_by(Site.cooperative_id, Site.code)
    )
    today = gold.local_day()
    now = {s.id: sites.status_on(s, today) for s in page.items}
    return render("sites.html", page=page, now=now, colours=colours())


def site_in_scope(code: str) -> Site:
    found = by_code(Site, code)
    if found is None or not access.may_act_for_cooperative(auth.actor(), found.cooperative_id):
        out_of_scope()
    return found


def _page(site: Site, status_form=None, capacity_form=None, status: int = 200):
    session = db.session()
    if status_form is None:
        status_form = SiteStatusForm()
        status_form.status.data = site.status.colour  # the rating as it is, to change
    history = sites.history(session, site)
    names = {c.recorded_by: authors.label(session, c.recorded_by) for c in history}
    return (
        render(
            "site.html",
            site=site,
            now=sites.status_on(site, gold.local_day()),
            history=list(reversed(history)),
            names=names,
            colours=colours(),
            may_change=access.may_change_site(auth.actor(), site),
            status_form=status_form,
            capacity_form=capacity_form or SiteCapacityForm(),
        ),
        status,
    )


@bp.get("/sites/<code>")
def site(code: str):
    return _page(site_in_scope(code))


def _changeable(code: str) -> Site:
    found = site_in_scope(code)
    if not access.may_change_site(auth.actor(), found):
        out_of_scope()
    return found


def _day(field, required: bool):
    raw = (field.data or "").strip()
    if not raw and not required:
        return None
    if not raw:
        raise LedgerError("required", "required", field.name)
    return parse_day(raw, field.name)


def _refuse(session, form, exc: LedgerError, fallback: str):
    session.rollback()
    field = form._fields.get(exc.field or "")
    (field if field is not None else form._fields[fallback]).errors = [say(exc)]


@bp.post("/sites/<code>/status")
def change_site_status(code: str):
    session = db.session()
    found = _changeable(code)
    form = SiteStatusForm()
    if not form.validate_on_submit():
        return _page(found, status_form=form, status=400)
    try:
        inspected_on = _day(form.inspected_on, True)
        deadline = _day(form.deadline, False)
        sites.change_status(
            session,
            found,
            form.status.data or "",
            note=(form.note.data or "").replace("\x00", ""),
            inspected_on=inspected_on,
            deadline=deadline,
            today=gold.local_day(),
        )
    except LedgerError as exc:
        _refuse(session, form, exc, "status")
        return _page(site_in_scope(code), status_form=form, status=422)
    session.commit()
    return redirect(url_for("console.site", code=found.code, saved=1))


@bp.post("/sites/<code>/capacity")
def change_site_capacity(code: str):
    session = db.session()
    found = _changeable(code)
    form = SiteCapacityForm()
    if not form.validate_on_submit():
        return _page(found, capacity_form=form, status=400)
    try:
        raw = (form.capacity_grams.data or "").strip().replace(" ", "").replace(",", ".")
        if not raw:
            raise LedgerError("required", "required", "capacity_grams")
        grams = to_decimal(raw, "capacity_grams", 3)
        if not 0 <= grams <= MAX_CAPACITY_GRAMS:
            raise LedgerError("out_of_range", "out of range", "capacity_grams")
        note = (form.note.data or "").replace("\x00", "")
        sites.change_capacity(session, found, units.milligrams(grams), note)
    except LedgerError as exc:
        _refuse(session, form, exc, "capacity_grams")
        return _page(site_in_scope(code), capacity_form=form, status=422)
    session.commit()
    return redirect(url_for("console.site", code=found.code, saved=1))
