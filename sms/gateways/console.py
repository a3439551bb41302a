"""The development gateway: every SMS goes to the log (and so to the terminal) and is sent."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping, Sequence

from sms.gateways import Inbound, Outcome, SendResult, StatusReport
from sms.gateways.africastalking import parse_inbound, parse_status

log = logging.getLogger("sanduku.sms")


class ConsoleGateway:
    name = "console"

    def send(self, text: str, phones: Sequence[str]) -> list[SendResult]:
        results = []
        for phone in phones:
            gateway_id = f"console-{uuid.uuid4().hex}"
            log.info("SMS to %s [%s]: %s", phone, gateway_id, text)
            results.append(SendResult(phone, Outcome.ACCEPTED, gateway_id=gateway_id))
        return results

    # Callbacks, simulated by hand in development, use Africa's Talking's fields.
    def parse_status(self, form: Mapping[str, str]) -> StatusReport | None:
        return parse_status(form)

    def parse_inbound(self, form: Mapping[str, str]) -> Inbound | None:
        return parse_inbound(form)
