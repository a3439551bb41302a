"""The demo's and tests' payout gateway: every payout is paid at once, and logged by its
reference only (no phone number, no amount)."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from payouts.gateways import Callback, Outcome, Request, Result

log = logging.getLogger("sanduku.payouts")


class ConsoleGateway:
    name = "console"

    def send(self, request: Request) -> Result:
        log.info("console payout %s paid", request.reference)
        return Result(Outcome.PAID, provider_id=f"CONSOLE-{request.reference}")

    def query(self, request: Request) -> Result:
        return Result(Outcome.PAID, provider_id=f"CONSOLE-{request.reference}")

    def parse_callback(self, data: Mapping) -> Callback | None:
        return None
