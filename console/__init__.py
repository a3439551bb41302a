"""The coordinators' web console under ``/console/`` (a channel beside ``api``, ``ussd`` and
``sms``): Jinja pages and plain HTML forms that work without JavaScript, logins of staff
members (``ledger.logins``), the scopes of ``ledger.access``. It calls the books directly."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Logins, the pages, the hashed static files and ``sanduku user password``."""
    from flask_wtf.csrf import generate_csrf

    from console import assets, auth, cli, i18n, logs, views

    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.config["WTF_CSRF_TIME_LIMIT"] = 12 * 3600  # a working day on one form
    # Every form checks its token itself (Flask-WTF); no app-wide CSRF guard, which would
    # refuse the gateway's callbacks and the API.
    app.jinja_env.globals["csrf_token"] = generate_csrf
    auth.init_app(app)
    logs.init_app()
    assets.init_app(app)
    i18n.init_app(app)
    app.register_blueprint(views.bp)
    cli.init_app(app)
