"""The coordinator JSON API under ``/api/v1/``: routes in ``routes.py``, one module per noun."""

from flask import Blueprint

api = Blueprint("api", __name__, url_prefix="/api/v1")


def _setup() -> None:
    from ledger.api import errors, routes

    routes.register(api)
    errors.register(api)


_setup()
