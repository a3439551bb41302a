"""Schema migrations (Alembic), run from code so ``sanduku db upgrade`` needs no ini file.

Released revisions are frozen: ``migrations/released.sha256`` lists each file with its hash
(``sha256sum -c`` reads it) and a test fails when one changes. Every schema change is a new
revision, numbered after the last (``make migration NAME=topic`` writes it: ``new_revision``).
"""

from __future__ import annotations

import hashlib
import re
import tempfile
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Engine

MIGRATIONS = Path(__file__).parent / "migrations"
#: The released revisions' files and their SHA-256, one ``<hash>  <file>`` a line.
RELEASED = "released.sha256"


def _config(connection, migrations: Path = MIGRATIONS) -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations))
    # Files are named by their revision id: 0004_topic.py is revision "0004_topic".
    config.set_main_option("file_template", "%%(rev)s")
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


def released(migrations: Path = MIGRATIONS) -> dict[str, str]:
    """The released revision files (names under ``versions/``) and their SHA-256."""
    lines = (migrations / RELEASED).read_text().splitlines()
    return {name: digest for digest, name in (line.split() for line in lines if line.strip())}


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def next_revision_id(message: str, migrations: Path = MIGRATIONS) -> str:
    """``0004_loan_photos``: the number after the highest under ``versions/``, then a slug."""
    numbers = [
        int(match.group(1))
        for path in (migrations / "versions").glob("*.py")
        if (match := re.match(r"(\d+)", path.name))
    ]
    slug = re.sub(r"[^a-z0-9]+", "_", message.lower()).strip("_")[:40]
    if not slug:
        raise ValueError("a migration needs a name: letters or digits")
    return f"{max(numbers, default=0) + 1:04d}_{slug}"


def new_revision(message: str, migrations: Path = MIGRATIONS) -> Path:
    """Write the next revision from the difference between the models and the schema at head
    (a scratch SQLite database migrated to head), with its downgrade. Returns its file."""
    from ledger.db import make_engine

    rev_id = next_revision_id(message, migrations)
    with tempfile.TemporaryDirectory() as scratch:
        engine = make_engine(f"sqlite:///{scratch}/head.db")
        try:
            with engine.begin() as connection:
                config = _config(connection, migrations)
                command.upgrade(config, "head")
                command.revision(config, message=message, autogenerate=True, rev_id=rev_id)
        finally:
            engine.dispose()
    return migrations / "versions" / f"{rev_id}.py"
