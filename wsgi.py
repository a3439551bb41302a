"""The web application: ``create_app()`` and ``app`` for gunicorn; ``cli`` is ``sanduku``.

The configuration is read here, once, the same way for the web process and the worker (which
builds its app with ``create_app()`` too): the contract's environment variables, and each
package's optional keys (``sms.settings.OPTIONS``, ``ledger.evidence.settings.OPTIONS``), an
environment variable of the same name each. Packages read ``app.config``, never the
environment, and nothing connects or subscribes before ``create_app()``.
"""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path

import click
from flask import Flask
from flask.cli import FlaskGroup

import api
import console
import ledger.authors
import ledger.cli
import ledger.db
import ledger.evidence
import ledger.premiums
import locales
import ops
import payouts
import sms
import ussd
from ledger.defaults import TIME_ZONE
from ledger.evidence import settings as evidence_settings
from ledger.premiums import settings as premium_settings
from ops import check, embedded, logs, secret, tracking
from ops.errors import ConfigError
from payouts import settings as payout_settings
from sms import settings as sms_settings

log = logging.getLogger("sanduku")

#: Each package's optional keys and their defaults.
OPTIONS = {
    **sms_settings.OPTIONS,
    **evidence_settings.OPTIONS,
    **premium_settings.OPTIONS,
    **payout_settings.OPTIONS,
}


def load_config(instance: Path) -> dict:
    """The contract's environment variables, with embedded defaults for the demo, and the
    packages' optional keys."""
    env = os.environ
    api_key = env.get("AT_API_KEY") or None
    username = env.get("AT_USERNAME") or None
    at_host = (
        "api.sandbox.africastalking.com" if username == "sandbox" else ("api.africastalking.com")
    )
    return {
        "DATABASE_URL": env.get("DATABASE_URL") or f"sqlite:///{instance / 'sanduku.db'}",
        "REDIS_URL": env.get("REDIS_URL") or None,
        "SMS_BACKEND": env.get("SMS_BACKEND") or ("africastalking" if api_key else "console"),
        "AT_USERNAME": username,
        "AT_API_KEY": api_key,
        "AT_SENDER_ID": env.get("AT_SENDER_ID") or None,
        "AT_API_URL": (env.get("AT_API_URL") or f"https://{at_host}/version1").rstrip("/"),
        "CALLBACK_TOKEN": env.get("CALLBACK_TOKEN") or None,
        "CALLBACK_ALLOW": env.get("CALLBACK_ALLOW") or None,
        "PROXY_COUNT": env.get("PROXY_COUNT") or "0",
        "SECRET_KEY": env.get("SECRET_KEY") or None,
        "LOG_LEVEL": (env.get("LOG_LEVEL") or "INFO").upper(),
        "LOG_FORMAT": (env.get("LOG_FORMAT") or "text").lower(),
        "METRICS_TOKEN": env.get("METRICS_TOKEN") or None,
        "SENTRY_DSN": env.get("SENTRY_DSN") or None,
        "SANDUKU_TZ": env.get("SANDUKU_TZ") or TIME_ZONE,
        "USSD_CODE": ussd_code(env.get("USSD_CODE")),
        "PAYOUT_BACKEND": env.get("PAYOUT_BACKEND") or "console",
        # Coordinator uploads are CSVs of a few hundred members; nothing else is large.
        "MAX_CONTENT_LENGTH": 1024 * 1024,
        **{name: option(env.get(name), default) for name, default in OPTIONS.items()},
    }


def option(raw: str | None, default: object) -> object:
    """An optional key's value: the environment's text read as its default's type (a tuple is
    comma-separated seconds), or the default when unset or empty."""
    if not raw:
        return default
    if isinstance(default, tuple):
        return tuple(float(part) for part in raw.split(",") if part.strip())
    return type(default)(raw)


#: The code members dial when ``USSD_CODE`` is not set (``sanduku dial --code`` dials it too).
DEFAULT_USSD_CODE = "*384*1#"
#: What a USSD code looks like: it is written into SMS, which must stay one GSM-7 segment.
USSD_CODE_PATTERN = re.compile(r"\*[0-9][0-9*]{0,18}#")


def ussd_code(raw: str | None) -> str:
    """The USSD code members dial (named in SMS replies): ``USSD_CODE`` or the default."""
    code = (raw or "").strip() or DEFAULT_USSD_CODE
    if not USSD_CODE_PATTERN.fullmatch(code):
        raise ConfigError(f"USSD_CODE must look like {DEFAULT_USSD_CODE}, not {code!r}")
    return code


def instance_dir() -> Path:
    """``instance/`` beside this module: the demo's database, secret and embedded Redis."""
    return Path(Flask(__name__, instance_relative_config=True).instance_path)


def checked_app(process: str) -> Flask:
    """The web process's (``app`` for gunicorn) and the worker's start: the configuration
    checked as ``sanduku check`` does (``ops.check``), then the app. A fatal problem raises
    ``ops.check.StartRefused`` after logging one line per problem."""
    instance = instance_dir()
    instance.mkdir(parents=True, exist_ok=True)
    check.at_start(process, lambda: load_config(instance), locales.DIR)
    return create_app()


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(load_config(instance))
    if test_config:
        app.config.from_mapping(test_config)
    logs.init_app(app)
    tracking.init_app(app)
    secret.init_app(app, instance)
    if not app.config["REDIS_URL"]:
        app.config["REDIS_URL"] = embedded.redis_url(instance)

    locales.compile_catalogs()
    init_ledger(app)
    init_redis(app)
    api.init_app(app)
    console.init_app(app)
    ussd.init_app(app)
    sms.init_app(app)
    payouts.init_app(app)
    for problem in payout_settings.problems(payout_settings.current()):
        raise ConfigError(problem)
    ops.init_app(app)
    return app


def init_ledger(app: Flask) -> None:
    """The books know nothing of Flask: their engine, evidence settings and purchase hook, and
    commands are wired here."""
    ledger.db.configure(app.config["DATABASE_URL"])
    ledger.authors.install()
    app.teardown_appcontext(lambda _exc: ledger.db.session.remove())
    ledger.evidence.configure(app.config)
    ledger.premiums.configure(app.config)
    for group in ledger.cli.GROUPS:
        app.cli.add_command(group)


def init_redis(app: Flask) -> None:
    import redis

    app.extensions["redis"] = redis.Redis.from_url(
        app.config["REDIS_URL"],
        socket_timeout=2,
        socket_connect_timeout=2,
        health_check_interval=30,
    )


@click.group(cls=FlaskGroup, create_app=create_app, add_default_commands=True)
def cli() -> None:
    """sanduku: savings groups and gold purchases over USSD and SMS."""


@cli.command("check", with_appcontext=False)
def check_command() -> None:
    """Print every setting (secrets hidden) and each problem; exit 1 on a fatal one."""
    instance = instance_dir()
    instance.mkdir(parents=True, exist_ok=True)
    raise SystemExit(check.report(lambda: load_config(instance), locales.DIR, click.echo))


def __getattr__(name: str) -> Flask:
    """``wsgi:app`` for gunicorn, built on first use after the start check (``checked_app``):
    importing this module connects nothing."""
    if name == "app":
        # `flask --app wsgi COMMAND` finds the app here too, to run a command (`db upgrade` on
        # an empty database): the start check is for serving (gunicorn).
        from_cli = os.environ.get("FLASK_RUN_FROM_CLI") == "true"
        globals()["app"] = created = create_app() if from_cli else checked_app("web")
        return created
    raise AttributeError(name)
