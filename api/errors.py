"""Every answer of the API is JSON, errors included: ``{"error", "code", "field"?}``.

Client mistakes are 4xx; a 500 means a bug of ours, is logged with its traceback, and still
answers JSON (never an HTML page, never a stack trace).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from decimal import Decimal, DecimalException
from enum import Enum

from flask import Blueprint, Response, request
from sqlalchemy.exc import DataError, IntegrityError
from werkzeug.exceptions import HTTPException

from ledger import db
from ledger.errors import LedgerError

log = logging.getLogger("sanduku.api")


class ApiError(Exception):
    """A refusal with its HTTP status, for what is not a rule of the books (auth, scope,
    unknown path resources, malformed bodies)."""

    def __init__(
        self, status: int, code: str, message: str, field: str | None = None, **extra: object
    ):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.extra = extra

    def as_dict(self) -> dict:
        out: dict = {"error": self.message, "code": self.code}
        if self.field:
            out["field"] = self.field
        out.update(self.extra)
        return out


#: Ledger codes that are a clash with what exists rather than a bad value.
CONFLICT_CODES = {"exists", "already_approved"}


def _default(value: object) -> object:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.replace(microsecond=0).isoformat() + ("Z" if value.tzinfo is None else "")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    raise TypeError(f"not JSON: {type(value).__name__}")


def dumps(payload: object) -> str:
    return json.dumps(payload, default=_default, ensure_ascii=False, separators=(",", ":"))


def json_response(status: int, payload: object, headers: dict | None = None) -> Response:
    return Response(dumps(payload), status=status, mimetype="application/json", headers=headers)


def _ledger_status(exc: LedgerError) -> int:
    return 409 if exc.code in CONFLICT_CODES else 422


def error_response(exc: ApiError | LedgerError) -> Response:
    db.session.rollback()
    status = exc.status if isinstance(exc, ApiError) else _ledger_status(exc)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return json_response(status, exc.as_dict(), headers)


def _http_error(exc: HTTPException) -> Response:
    status = exc.code or 500
    code = (exc.name or "error").lower().replace(" ", "_")
    payload = {"error": exc.description or exc.name, "code": code}
    headers = {}
    if status == 405 and hasattr(exc, "valid_methods") and exc.valid_methods:
        headers["Allow"] = ", ".join(exc.valid_methods)
    return json_response(status, payload, headers)


def _database_error(exc: IntegrityError | DataError) -> Response:
    """A clash the checks before it could not see (two requests creating the same code at
    once) or a value the database refuses: the client's, so 409/422, and nothing is kept."""
    db.session.rollback()
    # The driver's message may quote the values (a phone number): name the constraint only.
    constraint = getattr(getattr(exc.orig, "diag", None), "constraint_name", None)
    log.warning("database refused an API write: %s %s", type(exc.orig).__name__, constraint or "")
    if isinstance(exc, IntegrityError):
        return json_response(
            409, {"error": "this clashes with what is recorded", "code": "conflict"}
        )
    return json_response(422, {"error": "a value does not fit", "code": "bad_value"})


def _number_error(exc: ArithmeticError) -> Response:
    """A number beyond what exact decimal arithmetic holds (``1E+999999999``)."""
    db.session.rollback()
    log.warning("API number out of range on %s: %r", request.path, exc)
    return json_response(422, {"error": "a number is out of range", "code": "bad_number"})


def _bug(exc: Exception) -> Response:
    db.session.rollback()
    log.exception("API bug on %s %s", request.method, request.path)
    return json_response(500, {"error": "internal error", "code": "internal"})


def register(api: Blueprint) -> None:
    api.register_error_handler(ApiError, error_response)
    api.register_error_handler(LedgerError, error_response)
    api.register_error_handler(HTTPException, _http_error)
    api.register_error_handler(IntegrityError, _database_error)
    api.register_error_handler(DataError, _database_error)
    api.register_error_handler(DecimalException, _number_error)
    api.register_error_handler(Exception, _bug)

    # Routing errors (no such path, wrong method) happen before a blueprint is chosen:
    # answer them in JSON under our prefix and leave every other path as it was.
    def _routing_error(exc: HTTPException):
        if request.path == api.url_prefix or request.path.startswith(f"{api.url_prefix}/"):
            return _http_error(exc)
        return exc

    api.app_errorhandler(404)(_routing_error)
    api.app_errorhandler(405)(_routing_error)
