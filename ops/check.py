"""``sanduku check``, and the same check at the start of the web process and the worker: every
setting (secrets masked), then one line per problem. A fatal problem (a real gateway without
its account, token or secret; a database or Redis that does not answer; catalogs not compiled;
migrations not applied) stops the start instead of failing later inside a request or a job."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from ledger import schema
from ledger.db import make_engine
from ledger.defaults import LANGUAGES
from ops.callbacks import parse_allow, parse_proxy_count
from ops.errors import ConfigError
from ops.logs import LOG_FORMATS, LOG_LEVELS
from ops.secret import MIN_SECRET_CHARS

log = logging.getLogger("sanduku")

#: Settings shown as set or unset, never their value.
SECRETS = frozenset({"AT_API_KEY", "CALLBACK_TOKEN", "SECRET_KEY", "METRICS_TOKEN", "SENTRY_DSN"})
#: Settings that are URLs: shown with their password masked.
URLS = frozenset({"DATABASE_URL", "REDIS_URL"})
#: Not a setting anyone sets.
HIDDEN = frozenset({"MAX_CONTENT_LENGTH", "TESTING"})
#: What a real gateway cannot run without.
GATEWAY_NEEDS = ("AT_USERNAME", "AT_API_KEY", "CALLBACK_TOKEN", "SECRET_KEY")
BACKENDS = ("africastalking", "console")
#: How long a database or Redis has to answer the check.
CONNECT_TIMEOUT = 5


@dataclass(frozen=True)
class Problem:
    setting: str
    message: str
    fatal: bool = True

    def __str__(self) -> str:
        return f"{'' if self.fatal else 'warning: '}{self.setting}: {self.message}"


class StartRefused(ConfigError):
    """The start-up check found a fatal problem: the process does not start."""


def masked_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    user = f"{parts.username}:" if parts.username else ":"
    return urlunsplit(parts._replace(netloc=f"{user}***@{host}"))


def shown(name: str, value: object) -> str:
    if value in (None, ""):
        return "(unset)"
    if name in SECRETS:
        return "(set, hidden)"
    if name in URLS:
        return masked_url(str(value))
    if isinstance(value, tuple):
        return ",".join(f"{part:g}" if isinstance(part, float) else str(part) for part in value)
    return str(value)


def settings_lines(config: Mapping, env: Mapping[str, str] = os.environ) -> list[str]:
    """``NAME = value  (environment|default)`` for every setting, secrets masked."""
    names = [name for name in config if name not in HIDDEN and name.isupper()]
    width = max((len(name) for name in names), default=0)
    return [
        f"{name:<{width}} = {shown(name, config[name])}"
        f"  ({'environment' if env.get(name) else 'default'})"
        for name in names
    ]


def configuration_problems(config: Mapping) -> list[Problem]:
    problems = []
    backend = config.get("SMS_BACKEND") or "console"
    if backend not in BACKENDS:
        problems.append(Problem("SMS_BACKEND", f"{backend!r} is not one of {', '.join(BACKENDS)}"))
    if backend != "console":
        problems += [
            Problem(name, f"required with SMS_BACKEND={backend}")
            for name in GATEWAY_NEEDS
            if not config.get(name)
        ]
        if not config.get("CALLBACK_ALLOW"):
            problems.append(
                Problem("CALLBACK_ALLOW", "unset: the callbacks answer any address", False)
            )
    secret = config.get("SECRET_KEY")
    if secret and len(secret) < MIN_SECRET_CHARS:
        problems.append(Problem("SECRET_KEY", f"shorter than {MIN_SECRET_CHARS} characters"))
    if (config.get("LOG_LEVEL") or "INFO") not in LOG_LEVELS:
        problems.append(Problem("LOG_LEVEL", f"not one of {', '.join(LOG_LEVELS)}"))
    if (config.get("LOG_FORMAT") or "text") not in LOG_FORMATS:
        problems.append(Problem("LOG_FORMAT", f"not one of {', '.join(LOG_FORMATS)}"))
    for name, parse in (("CALLBACK_ALLOW", parse_allow), ("PROXY_COUNT", parse_proxy_count)):
        try:
            parse(config.get(name))
        except ConfigError as exc:
            problems.append(Problem(name, str(exc).split(": ", 1)[-1]))
    return problems


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0][:160]}" if text else type(exc).__name__


def database_problems(url: str) -> list[Problem]:
    """The database answers, and it has every migration of this code (no more)."""
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).parent.is_dir():
        return [Problem("DATABASE_URL", "the database's directory does not exist")]
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
        missing = schema.pending(engine)
    except LookupError as exc:
        return [
            Problem("DATABASE_URL", f"the database is at revision {exc}, unknown to this release")
        ]
    except Exception as exc:
        return [Problem("DATABASE_URL", f"the database does not answer ({_first_line(exc)})")]
    finally:
        engine.dispose()  # nothing of the check's pool is left for a fork to inherit
    if missing:
        return [
            Problem(
                "DATABASE_URL",
                f"{len(missing)} migration(s) not applied ({', '.join(missing)}): "
                "run `sanduku db upgrade`",
            )
        ]
    return []


def redis_problems(url: str | None) -> list[Problem]:
    if not url:
        return []  # the embedded Redis under instance/, started by the process itself
    import redis

    try:
        client = redis.Redis.from_url(
            url, socket_timeout=CONNECT_TIMEOUT, socket_connect_timeout=CONNECT_TIMEOUT
        )
        client.ping()
        client.close()
    except Exception as exc:
        return [Problem("REDIS_URL", f"Redis does not answer ({_first_line(exc)})")]
    return []


def catalog_problems(directory: Path) -> list[Problem]:
    """Every language's compiled catalog is there and not older than its ``.po``."""
    problems = []
    for language in LANGUAGES:
        po = directory / language / "LC_MESSAGES" / "messages.po"
        mo = po.with_suffix(".mo")
        if not mo.exists():
            problems.append(Problem("locales", f"{language}: {mo.name} is missing (not compiled)"))
        elif po.exists() and mo.stat().st_mtime < po.stat().st_mtime:
            problems.append(Problem("locales", f"{language}: {mo.name} is older than its .po"))
    return problems


def problems(config: Mapping, catalogs: Path) -> list[Problem]:
    found = configuration_problems(config)
    found += database_problems(config["DATABASE_URL"])
    found += redis_problems(config.get("REDIS_URL"))
    found += catalog_problems(catalogs)
    return found


def run(load: Callable[[], dict], catalogs: Path) -> tuple[dict | None, list[Problem]]:
    """The configuration as loaded (``None`` when it cannot be) and its problems. The catalogs
    are compiled first, as a start does, where the process may write them."""
    import locales

    try:
        config = load()
    except (ConfigError, ValueError) as exc:
        return None, [Problem("configuration", str(exc))]
    if catalogs == locales.DIR:
        try:
            locales.compile_catalogs()
        except OSError as exc:
            log.warning("catalogs not compiled: %s", _first_line(exc))
    return config, problems(config, catalogs)


def report(load: Callable[[], dict], catalogs: Path, echo: Callable[[str], object]) -> int:
    """``sanduku check``: the settings, then the problems; 1 when one is fatal."""
    config, found = run(load, catalogs)
    if config is not None:
        for line in settings_lines(config):
            echo(line)
    for problem in found:
        echo(str(problem))
    fatal = [problem for problem in found if problem.fatal]
    echo(f"{len(fatal)} problem(s)" if fatal else "configuration ok")
    return 1 if fatal else 0


def at_start(process: str, load: Callable[[], dict], catalogs: Path) -> None:
    """The web process's and the worker's first step: each problem logged, and a fatal one
    refuses the start (``StartRefused``, saying every problem)."""
    _config, found = run(load, catalogs)
    for problem in found:
        (log.error if problem.fatal else log.warning)("%s: %s", process, problem)
    fatal = [str(problem) for problem in found if problem.fatal]
    if fatal:
        raise StartRefused(f"{process} not started: " + "; ".join(fatal))
