"""The provider's callback: ``POST /payouts/mpesa/result``, behind the same guard as the
SMS gateway's callbacks (``CALLBACK_TOKEN``, ``CALLBACK_ALLOW``). A repeated callback
changes nothing (a payout is settled once); it always answers 200 so the provider stops."""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from payouts import jobs

bp = Blueprint("payouts", __name__)


@bp.post("/payouts/mpesa/result")
def mpesa_result():
    data = request.get_json(silent=True)
    outcome = jobs.receive_callback(data) if isinstance(data, dict) else "unreadable"
    return jsonify({"output_ResponseCode": "0", "output_ResponseDesc": outcome}), 200


mpesa_result.gateway_callback = True
