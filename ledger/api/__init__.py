"""The coordinator JSON API under ``/api/v1/``."""

from flask import Blueprint

api = Blueprint("api", __name__, url_prefix="/api/v1")
