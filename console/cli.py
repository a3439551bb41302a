"""``sanduku user password PHONE``: set a staff member's console password, read from standard
input (one line), so it never shows in the shell's history or the process list."""

from __future__ import annotations

import sys

import click
from flask import Flask

from console import auth
from ledger import db, logins
from ledger.errors import LedgerError
from ledger.members import parse_phone

user_group = click.Group("user", help="Console users (coordinators, officers, buyers).")


@user_group.command("password")
@click.argument("phone")
@click.option("--name", default=None, help="Which person, when several staff share the phone.")
def user_password(phone: str, name: str | None) -> None:
    """Set PHONE's console password from stdin (one line)."""
    session = db.session()
    try:
        number = parse_phone(phone)
    except LedgerError as exc:
        raise click.ClickException(exc.message) from None
    staff = logins.staff_on_phone(session, number)
    if name is not None:
        staff = [m for m in staff if m.name.casefold() == name.strip().casefold()]
    if not staff:
        raise click.ClickException("no coordinator, officer or buyer uses that phone")
    if len(staff) > 1:
        names = ", ".join(m.name for m in staff)
        raise click.ClickException(f"several staff share that phone ({names}): give --name")
    line = sys.stdin.readline().rstrip("\r\n")
    try:
        password = logins.check_new_password(line)
        logins.set_password(session, staff[0], auth.hash_password(password))
    except LedgerError as exc:
        session.rollback()
        raise click.ClickException(exc.message) from None
    session.commit()
    click.echo(f"console password set for member {staff[0].id}")


def init_app(app: Flask) -> None:
    app.cli.add_command(user_group)
