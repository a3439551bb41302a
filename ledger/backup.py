"""Backups of the books (PostgreSQL): ``pg_dump`` in its custom format into a directory, the
oldest pruned; ``pg_restore`` of one file into a database. The password travels in the
environment of the child process, never on its command line (``ps`` shows that to anyone)."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from pathlib import Path

from sqlalchemy.engine import make_url

#: Backup files: ``sanduku-20261202T013000Z.dump``; the time is UTC.
PREFIX = "sanduku-"
SUFFIX = ".dump"
#: However old, the newest few are kept (a server off for a month still has its last ones).
KEEP_AT_LEAST = 3


class BackupError(RuntimeError):
    """The dump or the restore failed: the message says why (without the password)."""


def libpq_env(url: str) -> dict[str, str]:
    """The connection as libpq's environment variables (``PGHOST``...), for pg_dump and
    pg_restore."""
    parsed = make_url(url)
    if not parsed.get_backend_name().startswith("postgresql"):
        raise BackupError(f"backups are for PostgreSQL; DATABASE_URL is {parsed.drivername}")
    env = {
        "PGHOST": parsed.host,
        "PGPORT": str(parsed.port) if parsed.port else None,
        "PGUSER": parsed.username,
        "PGPASSWORD": parsed.password,
        "PGDATABASE": parsed.database,
    }
    for key in ("sslmode", "sslrootcert", "sslcert", "sslkey"):  # ?sslmode=require...
        if key in parsed.query:
            env[f"PG{key.upper()}"] = str(parsed.query[key])
    return {key: value for key, value in env.items() if value}


def _run(command: list[str], url: str) -> None:
    env = {**os.environ, **libpq_env(url)}
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()[-500:]}")


def backup(url: str, directory: Path, now: dt.datetime | None = None) -> Path:
    """Dump the database into ``directory`` (created, owner-only), written whole under a
    temporary name and then renamed, so a half-written file never looks like a backup."""
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    stamp = (now or dt.datetime.now(dt.UTC)).strftime("%Y%m%dT%H%M%SZ")
    path = directory / f"{PREFIX}{stamp}{SUFFIX}"
    partial = directory / f".{path.name}.partial"
    old_umask = os.umask(0o077)
    try:
        _run(
            ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file", str(partial)],
            url,
        )
    finally:
        os.umask(old_umask)
    partial.rename(path)
    return path


def backups(directory: Path) -> list[Path]:
    """The backups in ``directory``, oldest first."""
    return sorted(directory.glob(f"{PREFIX}*{SUFFIX}"))


def prune(directory: Path, keep_days: int, now: dt.datetime | None = None) -> list[Path]:
    """Delete backups older than ``keep_days``, always keeping the newest ``KEEP_AT_LEAST``.
    Returns what was deleted."""
    cutoff = (now or dt.datetime.now(dt.UTC)) - dt.timedelta(days=keep_days)
    deleted = []
    for path in backups(directory)[:-KEEP_AT_LEAST]:
        stamp = path.name.removeprefix(PREFIX).removesuffix(SUFFIX)
        try:
            taken = dt.datetime.strptime(stamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)
        except ValueError:
            continue  # not one of ours
        if taken < cutoff:
            path.unlink()
            deleted.append(path)
    return deleted


def restore(url: str, path: Path) -> None:
    """Replace everything in the database with the backup, in one transaction: a restore
    that fails leaves the database as it was."""
    if not path.is_file():
        raise BackupError(f"{path}: no such backup")
    _run(
        [
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            "--dbname",
            make_url(url).database or "",
            str(path),
        ],
        url,
    )
