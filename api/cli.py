"""``sanduku token create|revoke``: API tokens from the command line."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from api.tokens import create_token, revoke_token
from ledger import db
from ledger.codes import by_code
from ledger.errors import LedgerError
from ledger.models import ApiRole, Cooperative, Group

token_group = AppGroup("token", help="API tokens for coordinators, officers and buyers.")


def _find(model, code: str | None, noun: str):
    if code is None:
        return None
    try:
        found = by_code(db.session(), model, code, noun)
    except LedgerError as exc:
        raise click.ClickException(exc.message) from None
    if found is None:
        raise click.ClickException(f"no {noun} {code}")
    return found


@token_group.command("create")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice([r.value for r in ApiRole]))
@click.option("--group", "group_code", help="the officer's group (code)")
@click.option("--cooperative", "cooperative_code", help="the buyer's cooperative (code)")
def token_create(name: str, role: str, group_code: str | None, cooperative_code: str | None):
    """Create a token; it is printed once, alone on the last line."""
    session = db.session()
    try:
        token, secret = create_token(
            session,
            name,
            role,
            group=_find(Group, group_code, "group"),
            cooperative=_find(Cooperative, cooperative_code, "cooperative"),
        )
    except LedgerError as exc:
        session.rollback()
        raise click.ClickException(exc.message) from None
    session.commit()
    scope = group_code or cooperative_code or "all"
    click.echo(f"token {token.id} for {token.name}: {role}, scope {scope}. Keep it secret:")
    click.echo(secret)


@token_group.command("revoke")
@click.argument("token_id", type=int)
def token_revoke(token_id: int) -> None:
    """Revoke a token by its number (shown when it was created)."""
    session = db.session()
    try:
        token = revoke_token(session, token_id)
    except LedgerError as exc:
        raise click.ClickException(exc.message) from None
    session.commit()
    click.echo(f"token {token.id} ({token.name}) revoked")


def init_app(app: Flask) -> None:
    app.cli.add_command(token_group)
