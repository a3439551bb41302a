"""Released migrations are frozen: a deployed database has run them, so changing one would
leave it different from a fresh one. A schema change is a new revision after them, with its
downgrade (``make migration NAME=...`` writes it)."""

from __future__ import annotations

import re
import shutil

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import Column, Integer, String, Table

from ledger import schema
from ledger.db import Base

VERSIONS = schema.MIGRATIONS / "versions"


def _number(name: str) -> int:
    return int(re.match(r"(\d+)", name).group(1))


def test_released_revisions_are_unchanged():
    released = schema.released()
    assert "0001_initial.py" in released
    changed = [
        name for name, digest in released.items() if schema.file_hash(VERSIONS / name) != digest
    ]
    assert changed == [], (
        f"released migrations changed: {changed}. A deployed database has run them: put the "
        "change in a new revision (make migration NAME=...) and restore these files."
    )


def test_new_revisions_come_after_the_released_ones_and_can_be_undone():
    released = schema.released()
    script = ScriptDirectory.from_config(schema._config(None))
    chain = [rev for rev in reversed(list(script.walk_revisions()))]
    names = [rev.path.rsplit("/", 1)[1] for rev in chain]
    assert names[: len(released)] == sorted(released, key=_number)  # the chain starts with them
    last_released = max(_number(name) for name in released)
    for rev in chain[len(released) :]:
        assert _number(rev.revision) > last_released, rev.revision
        assert rev.module.downgrade is not None


@pytest.fixture
def migrations(tmp_path):
    """A copy of the migrations, so writing a revision leaves the checkout alone."""
    copy = tmp_path / "migrations"
    shutil.copytree(schema.MIGRATIONS, copy, ignore=shutil.ignore_patterns("__pycache__"))
    return copy


def test_make_migration_writes_the_next_revision_with_its_downgrade(migrations):
    table = Table(
        "test_frozen_photos",
        Base.metadata,
        Column("id", Integer, primary_key=True),
        Column("caption", String(80)),
    )
    try:
        path = schema.new_revision("Loan photos!", migrations)
    finally:
        Base.metadata.remove(table)
    numbers = [_number(p.name) for p in (schema.MIGRATIONS / "versions").glob("*.py")]
    expected = f"{max(numbers) + 1:04d}_loan_photos"
    assert path == migrations / "versions" / f"{expected}.py"
    text = path.read_text()
    head = ScriptDirectory.from_config(schema._config(None)).get_current_head()
    assert f"revision = {expected!r}" in text and f"down_revision = {head!r}" in text
    upgrade, downgrade = text.split("def downgrade")
    assert "op.create_table(" in upgrade and "'test_frozen_photos'" in upgrade
    assert "op.drop_table('test_frozen_photos')" in downgrade
    # the released files are as they were
    for name, digest in schema.released(migrations).items():
        assert schema.file_hash(migrations / "versions" / name) == digest


def test_a_migration_needs_a_name(migrations):
    with pytest.raises(ValueError, match="needs a name"):
        schema.next_revision_id(" !! ", migrations)
