"""``sanduku db ...`` and ``sanduku members ...``: plain functions behind click commands.

Plain click groups, so the books need no Flask: ``create_app`` adds every group of ``GROUPS``
to the ``sanduku`` command line, and runs them with the database configured.
"""

from __future__ import annotations

from pathlib import Path

import click

from ledger import db, schema
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
