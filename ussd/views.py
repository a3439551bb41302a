"""``POST /ussd``: the Africa's Talking callback. Thin: check the token, hand the form to
the conversation, answer ``text/plain``."""

from __future__ import annotations

import hmac
import logging

from flask import Blueprint, Response, abort, current_app, request

from ledger import db
from locales import translator
from ussd import conversation

log = logging.getLogger("sanduku.ussd")
bp = Blueprint("ussd", __name__)


def check_token() -> None:
    expected = current_app.config.get("CALLBACK_TOKEN")
    if expected and not hmac.compare_digest(
        request.args.get("token", "").encode(), expected.encode()
    ):
        abort(403)


@bp.post("/ussd")
def ussd() -> Response:
    check_token()
    try:
        reply = conversation.answer(
            current_app.extensions["redis"],
            db.session(),
            request.form,
            current_app.config["SANDUKU_TZ"],
        )
    except Exception:  # answer() never raises; this keeps even a broken request off 5xx
        log.exception("ussd view failed")
        reply = conversation.end(translator(None).gettext(conversation.SORRY))
    return Response(reply, mimetype="text/plain")
