"""``sanduku db ...`` and ``sanduku members ...``: plain functions behind click commands.

Plain click groups, so the books need no Flask: ``create_app`` adds every group of ``GROUPS``
to the ``sanduku`` command line, and runs them with the database configured.
"""

from __future__ import annotations

from pathlib import Path

import click

from ledger import backup, db, schema
from ledger.errors import LedgerError
from ledger.evidence import cli as evidence_cli
from ledger.members import import_members

db_group = click.Group("db", help="The database schema.")
members_group = click.Group("members", help="Members of groups and cooperatives.")


@db_group.command("upgrade")
@click.option("--revision", default="head", show_default=True)
def db_upgrade(revision: str) -> None:
    """Create or migrate the schema (Alembic)."""
    schema.upgrade(db.engine(), revision)
    click.echo(f"database at {revision}: {db.engine().url.render_as_string(hide_password=True)}")


@db_group.command("backup")
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("/var/backups/sanduku"),
    show_default=True,
)
@click.option("--keep-days", default=14, show_default=True, help="Delete older backups.")
def db_backup(directory: Path, keep_days: int) -> None:
    """Dump the database (pg_dump) into DIR, then delete backups older than --keep-days
    (the newest three are always kept). Prints the new file's path."""
    try:
        path = backup.backup(db.engine().url.render_as_string(hide_password=False), directory)
    except backup.BackupError as exc:
        raise click.ClickException(str(exc)) from None
    for old in backup.prune(directory, keep_days):
        click.echo(f"deleted {old}", err=True)
    click.echo(str(path))


@db_group.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask before replacing the database.")
def db_restore(file: Path, yes: bool) -> None:
    """Replace everything in the database with a backup (pg_restore, one transaction)."""
    url = db.engine().url
    if not yes:
        click.confirm(
            f"Replace everything in {url.render_as_string(hide_password=True)} with {file}?",
            abort=True,
        )
    db.engine().dispose()  # no connection of ours holds a lock pg_restore waits for
    try:
        backup.restore(url.render_as_string(hide_password=False), file)
    except backup.BackupError as exc:
        raise click.ClickException(str(exc)) from None
    missing = schema.pending(db.engine())
    click.echo(f"restored {file}")
    if missing:
        click.echo(f"the backup lacks {len(missing)} migration(s): run `sanduku db upgrade`")


@members_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def members_import(file: Path) -> None:
    """Import members from a CSV: phone, name, gender, language, group, roles."""
    session = db.session()
    try:
        report = import_members(session, file.read_text(encoding="utf-8-sig"))
    except (LedgerError, UnicodeDecodeError) as exc:
        session.rollback()
        raise click.ClickException(str(exc)) from None
    session.commit()
    click.echo(f"{report.created} created, {report.updated} updated, {len(report.errors)} rejected")
    for line, message in report.errors:
        click.echo(f"line {line}: {message}", err=True)
    if report.errors:
        raise SystemExit(1)


#: The books' commands: ``sanduku db``, ``members``, ``report`` and ``lots``.
GROUPS = (db_group, members_group, *evidence_cli.GROUPS)
