"""Payout gateways: the small interface the pipeline talks to, and the choice of one by
``PAYOUT_BACKEND``. Another provider (Airtel Money, Orange Money) is one module with a class
that has ``send``, ``query`` and ``parse_callback``, and one line in ``make_gateway``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from payouts.settings import Settings


class Outcome(StrEnum):
    """What a provider said of one payout."""

    PAID = "paid"  # the money went to the miner's wallet
    FAILED = "failed"  # refused for good (not a wallet, account inactive...)
    RETRY = "retry"  # refused for now (server error, overload, unreachable): nothing went out
    UNKNOWN = "unknown"  # no answer (timeout), or "already have this reference": ask later


@dataclass(frozen=True)
class Request:
    """One payout as the provider sees it: our reference is its idempotency key."""

    reference: str
    msisdn: str  # E.164 without "+": 243812345678
    amount: int  # minor units
    currency: str
    description: str


@dataclass(frozen=True)
class Result:
    outcome: Outcome
    provider_id: str | None = None
    reason: str | None = None


@dataclass(frozen=True)
class Callback:
    reference: str
    result: Result


class PayoutGateway(Protocol):
    name: str

    def send(self, request: Request) -> Result: ...

    def query(self, request: Request) -> Result:
        """The provider's word on a payout sent before (by our reference): PAID, FAILED,
        RETRY (it never arrived: safe to send again) or UNKNOWN (ask again later)."""
        ...

    def parse_callback(self, data: Mapping) -> Callback | None: ...


def make_gateway(settings: Settings) -> PayoutGateway:
    if settings.backend == "mpesa":
        from payouts.gateways.mpesa import MpesaGateway

        return MpesaGateway(settings)
    from payouts.gateways.console import ConsoleGateway

    return ConsoleGateway()
