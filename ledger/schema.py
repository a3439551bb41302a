"""Schema migrations (Alembic), run from code so ``sanduku db upgrade`` needs no ini file."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Engine

MIGRATIONS = Path(__file__).parent / "migrations"


def _config(connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    with engine.begin() as connection:
        command.upgrade(_config(connection), revision)


def downgrade(engine: Engine, revision: str) -> None:
    with engine.begin() as connection:
        command.downgrade(_config(connection), revision)


def revision(engine: Engine, message: str) -> None:
    """Write a new migration from the difference between the models and the database."""
    with engine.begin() as connection:
        command.revision(_config(connection), message=message, autogenerate=True)


def pending(engine: Engine) -> list[str]:
    """The revisions the database still lacks, oldest first (empty when it is at head).
    Raises ``LookupError`` when the database is at a revision this code does not know (a
    newer release migrated it)."""
    from alembic.migration import MigrationContext
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    script = ScriptDirectory.from_config(_config(None))
    with engine.connect() as connection:
        current = tuple(MigrationContext.configure(connection).get_current_heads())
    known = {rev.revision for rev in script.walk_revisions()}
    unknown = [rev for rev in current if rev not in known]
    if unknown:
        raise LookupError(", ".join(unknown))
    try:
        missing = script.iterate_revisions("heads", current or "base")
        return [rev.revision for rev in reversed(list(missing))]
    except CommandError as exc:  # pragma: no cover - a branch alembic cannot walk
        raise LookupError(str(exc)) from None
