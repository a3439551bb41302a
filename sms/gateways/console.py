"""The development gateway: every SMS is accepted and goes to the log: at INFO its id and
length only (no phone number or text at INFO, anywhere), at DEBUG the phone and the text,
which is what ``sanduku demo`` shows (``LOG_LEVEL=DEBUG`` on a developer's own machine)."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping, Sequence

from sms.gateways import Inbound, Outcome, SendResult, StatusReport
from sms.gateways.africastalking import parse_inbound, parse_status

log = logging.getLogger("sanduku.sms.console")


class ConsoleGateway:
    name = "console"

    def send(self, text: str, phones: Sequence[str]) -> list[SendResult]:
        results = []
        for phone in phones:
            gateway_id = f"console-{uuid.uuid4().hex}"
            log.info("console SMS %s (%d characters)", gateway_id, len(text))
            log.debug("SMS to %s [%s]: %s", phone, gateway_id, text)
            results.append(SendResult(phone, Outcome.ACCEPTED, gateway_id=gateway_id))
        return results

    def balance(self) -> None:
        return None  # nothing is paid for

    # Callbacks, simulated by hand in development, use Africa's Talking's fields.
    def parse_status(self, form: Mapping[str, str]) -> StatusReport | None:
        return parse_status(form)

    def parse_inbound(self, form: Mapping[str, str]) -> Inbound | None:
        return parse_inbound(form)
