"""``sanduku db backup`` and ``sanduku db restore`` against PostgreSQL: the demo's books dumped,
restored into a fresh database and over a changed one, and still balanced; old backups pruned."""

from __future__ import annotations

import datetime as dt
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ledger import backup, db
from ledger import demo as demo_data
from ledger.cli import db_group
from ledger.db import make_engine
from ledger.models import Entry, Line, Member
from tests import services
from tests.ledger_checks import assert_books_balance
from wsgi import create_app

needs_postgres = pytest.mark.skipif(
    not services.postgres_available(), reason="backups are PostgreSQL's (pg_dump)"
)


def _figures(url: str) -> tuple[int, int, int]:
    engine = make_engine(url)
    with Session(engine) as session:
        assert_books_balance(session)
        figures = tuple(
            session.scalar(select(func.count()).select_from(model))
            for model in (Entry, Line, Member)
        )
    engine.dispose()
    return figures


def _cli(url: str, *args: str) -> str:
    db.configure(url)
    result = CliRunner().invoke(db_group, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture
def databases(redis_url):
    """A database with the demo's books and an empty one, both migrated."""
    source, target = services.create_postgres_database(), services.create_postgres_database()
    services.migrate(source)
    create_app(
        {
            "TESTING": True,
            "DATABASE_URL": source,
            "REDIS_URL": redis_url,
            "SMS_BACKEND": "console",
            "SECRET_KEY": services.SECRET_KEY,
        }
    )
    session = db.session()
    demo_data.seed(session)
    session.commit()
    db.session.remove()
    yield source, target
    db.configure("sqlite://")
    services.drop_postgres_database(source)
    services.drop_postgres_database(target)


@needs_postgres
def test_a_backup_restored_into_a_fresh_database_has_the_same_balanced_books(databases, tmp_path):
    source, target = databases
    before = _figures(source)
    assert before[1] > 0  # the demo's meetings, loan and purchases are in the journal
    path = Path(_cli(source, "backup", "--dir", str(tmp_path / "backups")).strip())
    assert path.exists() and path.name.startswith("sanduku-") and path.suffix == ".dump"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # members' phones are in it
    _cli(target, "restore", str(path), "--yes")
    assert _figures(target) == before


@needs_postgres
def test_a_restore_replaces_what_changed_since(databases, tmp_path):
    source, _ = databases
    before = _figures(source)
    path = Path(_cli(source, "backup", "--dir", str(tmp_path)).strip())
    engine = make_engine(source)
    with Session(engine) as session:
        session.execute(Line.__table__.delete())  # a disaster after the backup
        session.commit()
    engine.dispose()
    _cli(source, "restore", str(path), "--yes")
    assert _figures(source) == before


def test_a_restore_that_fails_says_why(tmp_path):
    broken = tmp_path / "sanduku-20261201T013000Z.dump"
    broken.write_bytes(b"not a dump")
    with pytest.raises(backup.BackupError, match="pg_restore failed"):
        backup.restore("postgresql://sanduku:secret@127.0.0.1:1/none", broken)


def test_backups_of_sqlite_are_refused_with_a_reason(tmp_path):
    with pytest.raises(backup.BackupError, match="PostgreSQL"):
        backup.backup(f"sqlite:///{tmp_path / 'x.db'}", tmp_path)


def test_the_password_goes_in_the_environment_not_the_command_line():
    env = backup.libpq_env(
        "postgresql+psycopg://sanduku:s3cret@db.example:5433/books?sslmode=require"
    )
    assert env == {
        "PGHOST": "db.example",
        "PGPORT": "5433",
        "PGUSER": "sanduku",
        "PGPASSWORD": "s3cret",
        "PGDATABASE": "books",
        "PGSSLMODE": "require",
    }


def test_old_backups_are_pruned_but_the_newest_three_kept(tmp_path):
    now = dt.datetime(2026, 12, 2, 1, 30, tzinfo=dt.UTC)
    for days in (40, 30, 20, 16, 15, 3, 1):
        taken = now - dt.timedelta(days=days)
        (tmp_path / f"sanduku-{taken:%Y%m%dT%H%M%SZ}.dump").write_bytes(b"")
    (tmp_path / "notes.txt").write_text("kept")
    deleted = backup.prune(tmp_path, keep_days=14, now=now)
    assert len(deleted) == 4  # 40, 30, 20 and 16 days old
    kept = [path.name for path in backup.backups(tmp_path)]
    assert kept == [f"sanduku-{now - dt.timedelta(days=d):%Y%m%dT%H%M%SZ}.dump" for d in (15, 3, 1)]
    # a server whose backups stopped a month ago keeps its last three, however old
    for path in backup.backups(tmp_path):
        path.unlink()
    for days in (60, 50, 45, 44):
        taken = now - dt.timedelta(days=days)
        (tmp_path / f"sanduku-{taken:%Y%m%dT%H%M%SZ}.dump").write_bytes(b"")
    assert len(backup.prune(tmp_path, keep_days=14, now=now)) == 1
    assert len(backup.backups(tmp_path)) == 3
    assert (tmp_path / "notes.txt").exists()
