"""``POST /ussd``: the Africa's Talking callback. Thin: hand the form to the conversation,
answer ``text/plain``. The token and the caller's address are checked before it, by the
guard ``create_app`` installs for every view marked ``gateway_callback``."""

from __future__ import annotations

import logging

from flask import Blueprint, Response, current_app, g, request

from ledger import db
from locales import translator
from ussd import conversation

log = logging.getLogger("sanduku.ussd")
bp = Blueprint("ussd", __name__)


@bp.post("/ussd")
def ussd() -> Response:
    g.ussd_hop = hop = {}  # the screen shown and what went wrong, for the metrics (ops)
    try:
        reply = conversation.answer(
            current_app.extensions["redis"],
            db.session(),
            request.form,
            current_app.config["SANDUKU_TZ"],
            hop=hop,
        )
    except Exception:  # answer() never raises; this keeps even a broken request off 5xx
        log.exception("ussd view failed")
        hop["outcome"] = "error"
        reply = conversation.end(translator(None).gettext(conversation.SORRY))
    return Response(reply, mimetype="text/plain")


ussd.gateway_callback = True
