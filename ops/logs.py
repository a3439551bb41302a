"""Logging: INFO by default, which never shows a phone number, a name, an SMS text or an SQL
parameter; ``LOG_LEVEL=DEBUG`` is for a developer's own machine. ``LOG_FORMAT=json``: one
JSON object a line (python-json-logger) for a log collector.

Every line carries ``request_id``: the id of the USSD hop or API call at work (the gateway's
or a proxy's ``X-Request-Id`` when it is a plain token, else a new one; sent back in the
answer's ``X-Request-Id``), and in a worker the id of the request that caused the job
(``sms.queue.REQUEST_ID``, carried in the job's ``meta``). gunicorn's access line carries it
too, so a hop's access line, its own lines and its jobs' lines share one id."""

from __future__ import annotations

import logging
import re
import uuid

from flask import Flask, Response, g, request

from ops.errors import ConfigError
from sms.queue import REQUEST_ID

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
LOG_FORMATS = ("text", "json")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s %(process)d"
#: An id we accept from outside: short, plain (it goes into log lines as it is).
INCOMING_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")
HEADER = "X-Request-Id"


class RequestIdFilter(logging.Filter):
    """Puts ``request_id`` on every record (``-`` outside a request or a job)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = REQUEST_ID.get() or "-"
        return True


def formatter(log_format: str) -> logging.Formatter:
    if log_format == "json":
        from pythonjsonlogger.json import JsonFormatter

        return JsonFormatter(JSON_FIELDS, rename_fields={"levelname": "level", "name": "logger"})
    return logging.Formatter(TEXT_FORMAT)


def configure(level: str = "INFO", log_format: str = "text") -> None:
    """The root logger's one handler: to stderr, in ``log_format``, with request ids."""
    if level not in LOG_LEVELS:
        raise ConfigError(f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, not {level!r}")
    if log_format not in LOG_FORMATS:
        raise ConfigError(f"LOG_FORMAT must be one of {', '.join(LOG_FORMATS)}, not {log_format!r}")
    root = logging.getLogger()
    handler = next((h for h in root.handlers if getattr(h, "sanduku", False)), None)
    if handler is None:
        handler = logging.StreamHandler()
        handler.sanduku = True
        handler.addFilter(RequestIdFilter())
        # The only handler: another one (basicConfig's, gunicorn's) would print lines twice.
        for other in [h for h in root.handlers if type(h) is logging.StreamHandler]:
            root.removeHandler(other)
        root.addHandler(handler)
    handler.setFormatter(formatter(log_format))
    root.setLevel(level)
    # DEBUG is for our own lines; SQLAlchemy's statement log would show rows (PIN hashes,
    # phones), and the libraries' debug lines are noise.
    logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)
    for name in ("rq", "urllib3", "redis", "werkzeug"):
        logging.getLogger(name).setLevel(max(logging.INFO, logging.getLevelName(level)))


def _begin() -> None:
    sent = request.headers.get(HEADER, "")
    request_id = sent if INCOMING_ID.fullmatch(sent) else uuid.uuid4().hex[:16]
    g.request_id_token = REQUEST_ID.set(request_id)


def _answer(response: Response) -> Response:
    request_id = REQUEST_ID.get()
    if request_id:
        response.headers[HEADER] = request_id
    return response


def _end(_exc: BaseException | None) -> None:
    token = g.pop("request_id_token", None)
    if token is not None:
        REQUEST_ID.reset(token)


def init_app(app: Flask) -> None:
    """INFO by default: no phone number, name, SMS text or SQL parameter is logged at INFO.
    ``LOG_LEVEL=DEBUG`` is for a developer's own machine (it shows the console backend's SMS
    and the phone numbers in debug lines)."""
    configure(app.config.get("LOG_LEVEL") or "INFO", app.config.get("LOG_FORMAT") or "text")
    app.before_request(_begin)
    app.after_request(_answer)
    app.teardown_request(_end)
