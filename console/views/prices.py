"""Prices (``/console/prices``): post a cooperative's price per gram (a coordinator of it),
first seeing how many phones in which languages the SMS will reach, then confirming; the
history of the prices in scope, with who posted each."""

from __future__ import annotations

from collections import Counter

from flask import redirect, url_for
from sqlalchemy import select

from console import auth
from console.errors import say
from console.forms import PriceForm
from console.pages import bp, by_code, out_of_scope, paginate, render
from ledger import access, authors, db, gold
from ledger.errors import LedgerError
from ledger.models import Cooperative, PricePost
from locales import language_or_default


def reach(session, cooperative_id: int) -> list[tuple[str, int]]:
    """Phones the price SMS goes to, by language (one per phone and language)."""
    seen = {
        (phone, language_or_default(language))
        for _id, phone, language in gold.price_audience(session, cooperative_id)
    }
    return sorted(Counter(language for _phone, language in seen).items())


def _page(form: PriceForm, preview: dict | None = None, status: int = 200):
    session = db.session()
    actor = auth.actor()
    coops = access.cooperative_ids(session, actor)
    if not coops:
        out_of_scope()
    history = paginate(
        select(PricePost)
        .where(PricePost.cooperative_id.in_(coops))
        .order_by(PricePost.posted_at.desc(), PricePost.id.desc())
    )
    names = {p.recorded_by: authors.label(session, p.recorded_by) for p in history.items}
    return (
        render(
            "prices.html",
            form=form,
            preview=preview,
            history=history,
            names=names,
            may_post=bool(form.cooperative.choices),
        ),
        status,
    )


def _form() -> PriceForm:
    session = db.session()
    actor = auth.actor()
    form = PriceForm()
    postable = [
        session.get(Cooperative, c)
        for c in access.cooperative_ids(session, actor)
        if access.may_post_price(actor, c)
    ]
    form.cooperative.choices = [(c.code, c.name) for c in postable]
    return form


@bp.get("/prices")
def prices():
    return _page(_form())


@bp.post("/prices")
def post_price():
    session = db.session()
    actor = auth.actor()
    form = _form()
    if not form.validate_on_submit():
        return _page(form, status=400)
    coop = by_code(Cooperative, form.cooperative.data or "")
    if coop is None or not access.may_post_price(actor, coop.id):
        out_of_scope()
    values = {}
    for name, currency, required in (("usd_per_gram", "USD", True), ("cdf_per_gram", "CDF", False)):
        field = getattr(form, name)
        raw = (field.data or "").strip().replace(",", ".")
        if not raw and not required:
            values[name] = None
            continue
        try:
            if not raw:
                raise LedgerError("required", "required", name)
            values[name] = gold.price_to_minor(raw, currency, name)
        except LedgerError as exc:
            field.errors = [say(exc)]
    if any(getattr(form, name).errors for name in ("usd_per_gram", "cdf_per_gram")):
        return _page(form, status=422)
    if form.confirm.data != "1":
        form.confirm.data = "1"
        preview = {"coop": coop, "reach": reach(session, coop.id), **values}
        return _page(form, preview=preview)
    gold.post_price(session, coop, values["usd_per_gram"], values["cdf_per_gram"], auth.member())
    session.commit()
    return redirect(url_for("console.prices", posted=1))
