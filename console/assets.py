"""The console's CSS and JavaScript, vendored (Pico CSS class-less, htmx) and served by the app
under names that carry a hash of their content, cached for a year: a new version is a new
name, so a weak connection downloads each file once."""

from __future__ import annotations

import hashlib
from pathlib import Path

from flask import Blueprint, Flask, abort, send_file, url_for

DIR = Path(__file__).parent / "static"
#: Vendored from npm (`npm pack htmx.org@2`, `npm pack @picocss/pico@2`): htmx 2.0.11
#: (dist/htmx.min.js, 0BSD) and Pico CSS 2.1.1 (css/pico.classless.min.css, MIT, its notice
#: kept at the top of the file). To update: pack the new version and copy the same files.
#: The files a page may load, by their plain name.
FILES = ("pico.classless.min.css", "htmx.min.js", "console.css")
YEAR = 365 * 24 * 3600

bp = Blueprint("console_assets", __name__, url_prefix="/console/static")


def hashed_name(name: str) -> str:
    digest = hashlib.sha256((DIR / name).read_bytes()).hexdigest()[:12]
    stem, dot, ext = name.partition(".")
    return f"{stem}.{digest}{dot}{ext}"


#: Hashed name -> plain name, and back.
BY_HASH = {hashed_name(name): name for name in FILES}
HASHED = {name: hashed for hashed, name in BY_HASH.items()}


@bp.get("/<name>")
def serve(name: str):
    plain = BY_HASH.get(name)
    if plain is None:
        abort(404)
    response = send_file(DIR / plain, max_age=YEAR, conditional=True)
    response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    return response


def asset(name: str) -> str:
    return url_for("console_assets.serve", name=HASHED[name])


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.jinja_env.globals["asset"] = asset
