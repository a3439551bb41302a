"""The console's blueprint and what every page shares: a login before anything, the author of
every write, lists in pages, the answer for what is out of scope (404, as for what does not
exist), and headers that keep every request on this server."""

from __future__ import annotations

import math
from dataclasses import dataclass

from flask import Blueprint, abort, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from console import auth, i18n
from ledger import authors, codes, db
from ledger.errors import LedgerError

bp = Blueprint("console", __name__, url_prefix="/console", template_folder="templates")

#: Rows in one page of a list.
PER_PAGE = 25
#: Pages reachable without logging in.
OPEN = frozenset({"console.login", "console.language"})
#: Nothing is fetched from elsewhere: no CDN, no font, no tracker. Pico's icons are data: URLs.
CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)


@bp.before_request
def logged_in():
    if request.endpoint in OPEN:
        return None
    if not current_user.is_authenticated:
        return auth.manager.unauthorized()
    authors.record_as(db.session(), authors.Author("console", auth.member().id))
    return None


@bp.after_request
def headers(response):
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers.setdefault("Cache-Control", "no-store")
    return response


@bp.app_context_processor
def common() -> dict:
    if not request.blueprint or not request.blueprint.startswith("console"):
        return {}
    return {
        "t": i18n.tr(),
        "lang": i18n.language(),
        "actor": auth.actor(),
        "page_url": page_url,
    }


def page_url(number: int) -> str:
    """This list's page ``number``, its filters kept."""
    args = {**request.args.to_dict(), "page": number}
    args.pop("format", None)
    return url_for(request.endpoint, **(request.view_args or {}), **args)


@bp.errorhandler(404)
def not_found(_exc):
    return render_template("console/error.html", code=404), 404


def out_of_scope():
    """Out of scope is answered as unknown: nobody learns what exists elsewhere."""
    abort(404)


def by_code(model, code: str):
    """The group, cooperative or site with this code; None for a code that cannot be one."""
    try:
        return codes.by_code(db.session(), model, code)
    except LedgerError:
        return None


#: The largest id a row has (PostgreSQL's integer): a larger number in a path is unknown.
MAX_ID = 2**31 - 1


def row(model, number: int):
    """The row with this id, or None (also for a number no row can have)."""
    return db.session().get(model, number) if 0 < number <= MAX_ID else None


def text(value: str | None, limit: int = 80) -> str:
    """A typed value as the books may search it: trimmed, cut, without NUL characters
    (which PostgreSQL refuses in text)."""
    return (value or "").replace("\x00", "").strip()[:limit]


def render(template: str, **context) -> str:
    return render_template(f"console/{template}", **context)


@dataclass
class Page:
    items: list
    number: int
    pages: int
    total: int


def page_number() -> int:
    raw = request.args.get("page", "1")
    return int(raw) if raw.isascii() and raw.isdigit() and 0 < int(raw) < 100_000 else 1


def paginate(query, per_page: int = PER_PAGE) -> Page:
    session = db.session()
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    pages = max(1, math.ceil(total / per_page))
    number = min(page_number(), pages)
    items = list(session.scalars(query.limit(per_page).offset((number - 1) * per_page)))
    return Page(items, number, pages, total)
