"""Who is logged in: Flask-Login over the signed session cookie (``SECRET_KEY``), ``HttpOnly``,
``SameSite=Lax``, and ``Secure`` whenever the request came over HTTPS. Passwords are hashed
with werkzeug's scrypt; the books keep the lockout (``ledger.logins``). A session names the
member and a fingerprint of their password hash, so a new password ends every old session."""

from __future__ import annotations

import hashlib

from flask import Flask, has_request_context, request
from flask.sessions import SecureCookieSessionInterface
from flask_login import LoginManager, UserMixin, current_user
from werkzeug.security import check_password_hash, generate_password_hash

from ledger import access, db, logins
from ledger.models import Member

manager = LoginManager()
manager.login_view = "console.login"
manager.login_message = None  # the login page says it itself, in the user's language

#: Checked when a phone has no account, so a refusal takes as long either way.
_DUMMY = generate_password_hash("not a password of anyone", method="scrypt")


def hash_password(password: str) -> str:
    return generate_password_hash(password, method="scrypt")


def checker(password: str):
    """``check(stored_hash)`` for ``ledger.logins.log_in``."""
    return lambda stored: check_password_hash(stored, password)


def waste_time(password: str) -> None:
    check_password_hash(_DUMMY, password)


def _fingerprint(member: Member) -> str:
    return hashlib.sha256((member.password_hash or "").encode()).hexdigest()[:16]


class User(UserMixin):
    def __init__(self, member: Member):
        self.member = member
        self.id = f"{member.id}.{_fingerprint(member)}"

    @property
    def actor(self) -> access.Actor:
        return access.for_member(self.member)


@manager.user_loader
def load_user(user_id: str) -> User | None:
    number, _, fingerprint = user_id.partition(".")
    if not (number.isascii() and number.isdigit()):
        return None
    member = db.session().get(Member, int(number))
    if member is None or not member.password_hash or not logins.is_staff(member):
        return None
    if _fingerprint(member) != fingerprint:
        return None
    return User(member)


def member() -> Member:
    return current_user.member


def actor() -> access.Actor:
    return current_user.actor if current_user.is_authenticated else access.NOBODY


class SessionInterface(SecureCookieSessionInterface):
    """The session cookie is ``Secure`` when the request came over HTTPS (or always, with
    ``SESSION_COOKIE_SECURE``): a demo on http://127.0.0.1 still logs in."""

    def get_cookie_secure(self, app: Flask) -> bool:
        forced = bool(app.config.get("SESSION_COOKIE_SECURE"))
        return forced or (has_request_context() and request.is_secure)


def init_app(app: Flask) -> None:
    manager.init_app(app)
    app.session_interface = SessionInterface()
