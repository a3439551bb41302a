"""``sanduku dial PHONE``: walk the menus from a terminal, as a feature phone would."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from ussd.dial import Phone, client_transport, http_transport


def show(screen: str) -> None:
    click.echo(screen)
    click.echo("-" * 24)


@click.command("dial")
@click.argument("phone")
@click.option("--code", default=None, help="The USSD code dialled (default: USSD_CODE, *384*1#).")
@click.option("--url", default=None, help="POST to this /ussd URL (default: this app, in-process).")
@click.option("--inputs", default=None, help='Scripted replies joined by "*", e.g. "1*1234".')
@click.option("--token", envvar="CALLBACK_TOKEN", default=None, help="The callback token.")
@with_appcontext
def dial(
    phone: str, code: str | None, url: str | None, inputs: str | None, token: str | None
) -> None:
    """A terminal phone: posts to /ussd like the gateway (new sessionId, growing text)."""
    code = code or current_app.config["USSD_CODE"]
    if url:
        transport = http_transport(url, token)
    else:
        transport = client_transport(
            current_app.test_client(), token or current_app.config.get("CALLBACK_TOKEN")
        )
    handset = Phone(transport, phone, code)
    click.echo(f"> {code}")
    show(handset.dial())
    scripted = (inputs.split("*") if inputs else []) if inputs is not None else None
    while not handset.ended:
        if scripted is not None:
            if not scripted:
                return
            value = scripted.pop(0)
            click.echo(f"> {value}")
        else:
            value = click.prompt(">", default="", show_default=False, prompt_suffix=" ")
        show(handset.reply(value))


def init_app(app) -> None:
    app.cli.add_command(dial)
