"""``sanduku check``: every setting (secrets hidden), one line per problem, exit 1 on a fatal
one; the web process (gunicorn's ``wsgi:app``) and ``python worker.py`` refuse to start on
the same problems."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import text

from ledger import schema
from ledger.db import make_engine
from tests import services
from wsgi import cli

ROOT = Path(__file__).resolve().parents[2]
#: Every variable the check reads that a developer's shell might carry.
CONTRACT = (
    "DATABASE_URL",
    "REDIS_URL",
    "SMS_BACKEND",
    "AT_USERNAME",
    "AT_API_KEY",
    "AT_SENDER_ID",
    "AT_API_URL",
    "CALLBACK_TOKEN",
    "CALLBACK_ALLOW",
    "PROXY_COUNT",
    "SECRET_KEY",
    "LOG_LEVEL",
    "LOG_FORMAT",
    "METRICS_TOKEN",
    "SENTRY_DSN",
    "USSD_CODE",
)
UNREACHABLE_DB = "postgresql://sanduku:pg-password@127.0.0.1:1/none"
UNREACHABLE_REDIS = "redis://:redis-password@127.0.0.1:1/0"


@pytest.fixture
def env(monkeypatch, database_url, redis_url):
    """A good configuration: the test database (migrated), Redis, the console gateway."""
    for name in CONTRACT:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.setenv("SECRET_KEY", services.SECRET_KEY)
    return monkeypatch


def check() -> tuple[int, list[str]]:
    result = CliRunner().invoke(cli, ["check"], catch_exceptions=False)
    return result.exit_code, result.output.splitlines()


def problems(lines: list[str]) -> list[str]:
    """The lines after the settings: those not of the form ``NAME = value  (source)``."""
    return [line for line in lines if " = " not in line][:-1]


def test_a_good_configuration_prints_every_setting_with_secrets_hidden(env):
    env.setenv("METRICS_TOKEN", "metrics-token-value")
    code, lines = check()
    assert code == 0, lines
    assert lines[-1] == "configuration ok"
    settings = {line.split(" = ")[0].strip(): line for line in lines if " = " in line}
    for name in ("DATABASE_URL", "REDIS_URL", "SMS_BACKEND", "SECRET_KEY", "SMS_BATCH_SIZE"):
        assert name in settings
    assert settings["SMS_BACKEND"].endswith("console  (default)")
    assert settings["SECRET_KEY"].endswith("(set, hidden)  (environment)")
    assert "(set, hidden)" in settings["METRICS_TOKEN"]
    assert settings["AT_API_KEY"].endswith("(unset)  (default)")
    output = "\n".join(lines)
    assert services.SECRET_KEY not in output and "metrics-token-value" not in output


def test_a_real_gateway_without_its_account_token_and_secret(env):
    env.setenv("SMS_BACKEND", "africastalking")
    env.delenv("SECRET_KEY")
    code, lines = check()
    assert code == 1
    found = problems(lines)
    for name in ("AT_USERNAME", "AT_API_KEY", "CALLBACK_TOKEN", "SECRET_KEY"):
        assert f"{name}: required with SMS_BACKEND=africastalking" in found
    assert "warning: CALLBACK_ALLOW: unset: the callbacks answer any address" in found
    assert lines[-1] == "4 problem(s)"


@pytest.mark.parametrize("missing", ["AT_USERNAME", "AT_API_KEY", "CALLBACK_TOKEN", "SECRET_KEY"])
def test_each_thing_a_real_gateway_needs_is_reported_alone(env, missing):
    env.setenv("SMS_BACKEND", "africastalking")
    env.setenv("AT_USERNAME", "sanduku")
    env.setenv("AT_API_KEY", "an-api-key")
    env.setenv("CALLBACK_TOKEN", "a-callback-token")
    env.setenv("CALLBACK_ALLOW", "196.201.214.0/24")
    env.delenv(missing)
    code, lines = check()
    assert code == 1
    assert problems(lines) == [f"{missing}: required with SMS_BACKEND=africastalking"]
    assert "an-api-key" not in "\n".join(lines)


def test_an_unreachable_database_and_its_password_hidden(env):
    env.setenv("DATABASE_URL", UNREACHABLE_DB)
    code, lines = check()
    assert code == 1
    [problem] = problems(lines)
    assert problem.startswith("DATABASE_URL: the database does not answer (OperationalError")
    output = "\n".join(lines)
    assert "pg-password" not in output and "sanduku:***@127.0.0.1:1" in output


def test_an_unreachable_redis(env):
    env.setenv("REDIS_URL", UNREACHABLE_REDIS)
    code, lines = check()
    assert code == 1
    [problem] = problems(lines)
    assert problem.startswith("REDIS_URL: Redis does not answer (ConnectionError")
    assert "redis-password" not in "\n".join(lines)


def test_missing_compiled_catalogs(env, monkeypatch, tmp_path):
    import locales

    monkeypatch.setattr(locales, "DIR", tmp_path)  # an install without its catalogs
    code, lines = check()
    assert code == 1
    assert problems(lines) == [
        f"locales: {language}: messages.mo is missing (not compiled)"
        for language in ("sw", "ln", "fr", "en")
    ]


def test_a_stale_catalog(tmp_path):
    from ops.check import catalog_problems

    for language in ("sw", "ln", "fr", "en"):
        folder = tmp_path / language / "LC_MESSAGES"
        folder.mkdir(parents=True)
        for name in ("messages.po", "messages.mo"):
            (folder / name).write_bytes(b"")
            os.utime(folder / name, (1_800_000_000, 1_800_000_000))
    os.utime(tmp_path / "fr" / "LC_MESSAGES" / "messages.po", (1_800_000_060, 1_800_000_060))
    assert [str(p) for p in catalog_problems(tmp_path)] == [
        "locales: fr: messages.mo is older than its .po"
    ]


def test_pending_migrations(env, tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = make_engine(url)
    schema.upgrade(engine, "0001")
    heads = schema.pending(engine)
    env.setenv("DATABASE_URL", url)
    code, lines = check()
    assert code == 1
    assert problems(lines) == [
        f"DATABASE_URL: {len(heads)} migration(s) not applied ({', '.join(heads)}): "
        "run `sanduku db upgrade`"
    ]
    assert heads and heads[0] != "0001"
    schema.upgrade(engine)
    assert schema.pending(engine) == []
    assert check()[0] == 0
    engine.dispose()


def test_a_database_from_a_newer_release(env, tmp_path):
    url = f"sqlite:///{tmp_path / 'newer.db'}"
    engine = make_engine(url)
    schema.upgrade(engine)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    engine.dispose()
    env.setenv("DATABASE_URL", url)
    code, lines = check()
    assert code == 1
    assert problems(lines) == [
        "DATABASE_URL: the database is at revision 9999_future, unknown to this release"
    ]


def test_malformed_settings(env):
    env.setenv("CALLBACK_ALLOW", "10.0.0.0/8,bunia")
    env.setenv("PROXY_COUNT", "-1")
    env.setenv("SECRET_KEY", "short")
    env.setenv("LOG_FORMAT", "xml")
    code, lines = check()
    assert code == 1
    assert sorted(problems(lines)) == [
        "CALLBACK_ALLOW: 'bunia' is not a network such as 10.0.0.0/8",
        "LOG_FORMAT: not one of text, json",
        "PROXY_COUNT: PROXY_COUNT must be a whole number, 0 or more, not '-1'",
        "SECRET_KEY: shorter than 16 characters",
    ]


def test_a_setting_that_cannot_be_read(env):
    env.setenv("USSD_CODE", "384")
    code, lines = check()
    assert code == 1
    assert lines == ["configuration: USSD_CODE must look like *384*1#, not '384'", "1 problem(s)"]


def _refused_env(tmp_path: Path, redis_url: str) -> dict[str, str]:
    # FLASK_RUN_FROM_CLI: set in this process by the CLI tests; the gunicorn path never has it
    env = {k: v for k, v in os.environ.items() if k not in CONTRACT and not k.startswith("FLASK")}
    db = tmp_path / "ready.db"
    engine = make_engine(f"sqlite:///{db}")
    schema.upgrade(engine)
    engine.dispose()
    return {
        **env,
        "DATABASE_URL": f"sqlite:///{db}",
        "REDIS_URL": redis_url,
        "SMS_BACKEND": "africastalking",
        "AT_USERNAME": "sanduku",
        "AT_API_KEY": "an-api-key",
        # no CALLBACK_TOKEN, no SECRET_KEY
    }


def test_the_web_process_refuses_to_start(tmp_path, redis_url):
    """gunicorn serving ``wsgi:app`` stops at once, saying why, instead of serving 403s."""
    proc = subprocess.run(
        [sys.executable, "-m", "gunicorn", "--bind", "127.0.0.1:0", "wsgi:app"],
        cwd=ROOT,
        env=_refused_env(tmp_path, redis_url),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode != 0
    assert "web: CALLBACK_TOKEN: required with SMS_BACKEND=africastalking" in proc.stderr
    assert "web: SECRET_KEY: required with SMS_BACKEND=africastalking" in proc.stderr
    assert "an-api-key" not in proc.stderr


def test_the_worker_refuses_to_start(tmp_path, redis_url):
    proc = subprocess.run(
        [sys.executable, "worker.py"],
        cwd=ROOT,
        env=_refused_env(tmp_path, redis_url),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    assert "worker: CALLBACK_TOKEN: required with SMS_BACKEND=africastalking" in proc.stderr
    assert "worker: SECRET_KEY: required with SMS_BACKEND=africastalking" in proc.stderr
    assert "Traceback" not in proc.stderr
