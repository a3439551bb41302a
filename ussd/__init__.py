"""The USSD conversation: the gateway webhook, sessions in Redis, screens and menus."""

from flask import Flask


def init_app(app: Flask) -> None:
    from ussd import cli, views

    app.register_blueprint(views.bp)
    cli.init_app(app)
