"""Logging: INFO by default, which never shows a phone number, a name, an SMS text or an SQL
parameter; ``LOG_LEVEL=DEBUG`` is for a developer's own machine."""

from __future__ import annotations

import logging

from flask import Flask

from ops.errors import ConfigError

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


def init_app(app: Flask) -> None:
    """INFO by default: no phone number, name, SMS text or SQL parameter is logged at INFO.
    ``LOG_LEVEL=DEBUG`` is for a developer's own machine (it shows the console backend's SMS
    and the phone numbers in debug lines)."""
    level = app.config.get("LOG_LEVEL") or "INFO"
    if level not in LOG_LEVELS:
        raise ConfigError(f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, not {level!r}")
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    # DEBUG is for our own lines; SQLAlchemy's statement log would show rows (PIN hashes,
    # phones), and the libraries' debug lines are noise.
    logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)
    for name in ("rq", "urllib3", "redis", "werkzeug"):
        logging.getLogger(name).setLevel(max(logging.INFO, logging.getLevelName(level)))
