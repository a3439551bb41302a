"""The server secret (``SECRET_KEY``): it keys the PIN hashes, the enrolment codes and the
USSD replay marks (one derived key per use). Required with a real gateway; for the demo and
the embedded defaults, generated once under ``instance/``."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import secrets
import tempfile
from pathlib import Path

from flask import Flask

from ledger import pins
from ops.errors import ConfigError

#: Shortest ``SECRET_KEY`` accepted: it keys the PIN hashes, so it must not be guessable.
MIN_SECRET_CHARS = 16


def real_gateway(app: Flask) -> bool:
    return (app.config.get("SMS_BACKEND") or "console") != "console"


def instance_secret(instance: Path) -> str:
    """The demo's and the embedded defaults' server secret: generated once, kept in
    ``instance/secret_key`` readable by its owner only. Processes starting together (gunicorn's
    workers) agree on one: it is written whole to a private file, then linked into place."""
    path = instance / "secret_key"
    if not path.exists():
        fd, tmp = tempfile.mkstemp(prefix=".secret_key.", dir=instance)  # mode 0600
        try:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(48) + "\n")
            with contextlib.suppress(FileExistsError):
                os.link(tmp, path)
        finally:
            os.unlink(tmp)
    if path.stat().st_mode & 0o077:
        path.chmod(0o600)
    return path.read_text().strip()


def derive_key(secret: str, purpose: str) -> bytes:
    """One key per use of ``SECRET_KEY`` (PIN hashes, USSD replay marks...)."""
    return hmac.new(secret.encode(), purpose.encode(), hashlib.sha256).digest()


def init_app(app: Flask, instance: Path) -> None:
    secret = app.config.get("SECRET_KEY")
    if not secret:
        if real_gateway(app):
            raise ConfigError(
                f"SECRET_KEY is required with SMS_BACKEND={app.config['SMS_BACKEND']}: it keys "
                f"the PIN hashes (at least {MIN_SECRET_CHARS} random characters)"
            )
        secret = instance_secret(instance)
    if len(secret) < MIN_SECRET_CHARS:
        raise ConfigError(f"SECRET_KEY must be at least {MIN_SECRET_CHARS} characters")
    app.config["SECRET_KEY"] = secret
    pins.configure(derive_key(secret, "ledger.pins"))
