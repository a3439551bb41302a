"""The USSD conversation: the gateway webhook, sessions in Redis, screens and menus."""

from flask import Flask


def init_app(app: Flask) -> None:
    import hashlib
    import hmac

    from ussd import cli, sessions, views

    secret = app.config["SECRET_KEY"].encode()
    sessions.configure(hmac.new(secret, b"ussd.sessions", hashlib.sha256).digest())
    app.register_blueprint(views.bp)
    cli.init_app(app)
