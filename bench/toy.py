"""The USSD baseline: the same three screens as a member's walk to "My savings", answered by
an if/elif on ``text`` (no database, no Redis, no session), in Flask like sanduku and served
by the same gunicorn configuration: ``gunicorn bench.toy:app``."""

from __future__ import annotations

from flask import Flask, Response, request

app = Flask(__name__)

MENU = "CON Sanduku: Amani\n1 My savings\n2 My loan\n3 Gold prices\n4 My sales\n5 Next meeting"


@app.post("/ussd")
def ussd() -> Response:
    text = request.form.get("text", "")
    if text == "":
        reply = MENU
    elif text == "1":
        reply = "CON Enter your PIN:\n0 Back 00 Menu"
    elif text.startswith("1*") and len(text) == 6:
        reply = "CON Groupe VSLA1\nShares: 12\nSavings: 12.000 FC\nSocial fund: 800 FC"
    else:
        reply = "END Invalid choice."
    return Response(reply, mimetype="text/plain")


@app.get("/healthz")
def healthz() -> Response:
    return Response("ok", mimetype="text/plain")
