"""``sanduku demo``: seed the demo data (``ledger.demo``), then run the web server and a worker
(``python worker.py``) together, on the embedded defaults unless configured otherwise."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import select

import ledger.db

#: ``worker.py``, beside the packages (in the checkout, or in site-packages when installed).
WORKER = Path(__file__).resolve().parents[1] / "worker.py"


@click.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True)
@with_appcontext
def demo(host: str, port: int) -> None:
    """Seed demo data, then run the web server and a worker together."""
    from werkzeug.serving import run_simple

    from api.tokens import create_token
    from ledger import demo as demo_data
    from ledger import schema
    from ledger.models import ApiRole, Message, MessageKind, MessageStatus

    app = current_app._get_current_object()
    schema.upgrade(ledger.db.engine())
    session = ledger.db.session()
    seeded = demo_data.seed(session)
    codes = {member.name: issued.code for member, issued in demo_data.issue_codes(session)}
    logins = console_logins(session)
    _, token = create_token(session, "demo coordinator", ApiRole.COORDINATOR)
    # The premium's SMS as the miners get them (read now: a sent one keeps no cash code).
    premium_sms = session.scalars(
        select(Message.body).where(
            Message.kind == MessageKind.PREMIUM, Message.status == MessageStatus.PENDING
        )
    ).all()
    session.commit()
    env = {
        **os.environ,
        "DATABASE_URL": app.config["DATABASE_URL"],
        "REDIS_URL": app.config["REDIS_URL"],
        "SMS_BACKEND": app.config["SMS_BACKEND"],
        "SECRET_KEY": app.config["SECRET_KEY"],
    }
    if app.config["SMS_BACKEND"] == "console":
        env.setdefault("LOG_LEVEL", "DEBUG")  # a developer's machine: the worker shows the SMS
    worker = subprocess.Popen([sys.executable, str(WORKER)], env=env)
    premiums = (
        "The lot's premium, shared back to its miners; their SMS:\n"
        + "\n".join("  " + body.replace("\n", " ") for body in premium_sms)
        + "\n"
        if premium_sms
        else ""
    )
    people = "\n".join(
        f"  {phone}  {name} ({roles})"
        + (f"  enrolment code {codes[name]}" if name in codes else "")
        for phone, name, _, _, roles in demo_data.PEOPLE
    )
    click.echo(f"""
sanduku demo {"seeded" if seeded else "(data already there)"}: {app.config["DATABASE_URL"]}
Redis: {app.config["REDIS_URL"]}   SMS: {app.config["SMS_BACKEND"]} (printed by the worker)

Demo people (a person without a PIN types their enrolment code, then chooses a PIN):
{people}

{premiums}
Try the console first: http://{host}:{port}/console/  (phone, password)
{logins}

Try the phone in another terminal:
  .venv/bin/sanduku dial +243810000002 --url http://{host}:{port}/ussd
Try the API:
  curl -H 'Authorization: Bearer {token}' http://{host}:{port}/api/v1/members?phone=0810000001
Health: curl http://{host}:{port}/healthz      Stop: Ctrl+C
""")
    try:
        run_simple(host, port, app, threaded=True)
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=10)
        except subprocess.TimeoutExpired:
            worker.kill()


def console_logins(session) -> str:
    """Give the demo's coordinator, officer and buyer their console passwords; the lines that
    print them."""
    from console.auth import hash_password
    from ledger import demo as demo_data
    from ledger import logins as ledger_logins

    lines = []
    for member, password in demo_data.console_logins(session):
        ledger_logins.set_password(session, member, hash_password(password))
        lines.append(f"  {member.phone}  {password:<18} {member.name} ({member.roles})")
    return "\n".join(lines)


def init_app(app: Flask) -> None:
    app.cli.add_command(demo)
