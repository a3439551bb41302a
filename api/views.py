"""The API's blueprint: every route of ``routes.ROUTES`` and the JSON error handlers."""

from flask import Blueprint

from api import errors, routes

bp = Blueprint("api", __name__, url_prefix="/api/v1")
routes.register(bp)
errors.register(bp)
