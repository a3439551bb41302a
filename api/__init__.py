"""The coordinator JSON API under ``/api/v1/`` (a channel beside ``ussd`` and ``sms``): the
blueprint in ``views.py``, its routes in ``routes.py``, one module per noun."""

from flask import Flask


def init_app(app: Flask) -> None:
    """The blueprint and ``sanduku token ...``."""
    from api import cli, views

    app.register_blueprint(views.bp)
    cli.init_app(app)
