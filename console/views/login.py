"""Logging in and out, and choosing the console's language. Failed logins are logged without
the phone or the password (neither appears in any log line)."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from flask import redirect, request, session, url_for
from flask_login import login_user, logout_user

from console import auth, i18n
from console.errors import say
from console.forms import LoginForm, PlainForm
from console.pages import bp, render
from ledger import db, logins
from ledger.defaults import LANGUAGES
from ledger.errors import LedgerError
from ledger.members import parse_phone

log = logging.getLogger("sanduku.console")


def safe_next(target: str | None) -> str:
    """Only a page of the console on this server (no open redirect)."""
    parts = urlsplit(target or "")
    same_host = not parts.netloc or parts.netloc == request.host
    path = parts.path
    if same_host and path.startswith("/console/") and "//" not in path and "\\" not in path:
        return path + (f"?{parts.query}" if parts.query else "")
    return url_for("console.today")


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        password = form.password.data or ""
        checked = []

        def check(stored: str) -> bool:
            checked.append(True)
            return auth.checker(password)(stored)

        try:
            phone = parse_phone(form.phone.data)
            member = logins.log_in(db.session(), phone, check)
        except LedgerError as exc:
            db.session().commit()  # the count of wrong passwords is kept
            if not checked:
                auth.waste_time(password)
            log.info("console login refused: %s", exc.code)
            field = form.phone if exc.code == "bad_phone" else form.password
            field.errors = [say(exc)]
            return render("login.html", form=form), 401 if exc.code == "bad_login" else 400
        db.session().commit()
        language = session.get(i18n.KEY)
        session.clear()
        if language:
            session[i18n.KEY] = language
        login_user(auth.User(member))
        log.info("console login: member %s", member.id)
        return redirect(safe_next(request.args.get("next")))
    status = 400 if request.method == "POST" else 200
    return render("login.html", form=form), status


@bp.post("/logout")
def logout():
    form = PlainForm()
    if form.validate_on_submit():
        logout_user()
        language = session.get(i18n.KEY)
        session.clear()
        if language:
            session[i18n.KEY] = language
        return redirect(url_for("console.login"))
    return redirect(url_for("console.today"))


@bp.get("/language/<code>")
def language(code: str):
    if code in LANGUAGES:
        session[i18n.KEY] = code
    return redirect(safe_next(request.args.get("next")))
