"""Gateways: the small interface the pipeline talks to, and the choice of one by config.

A second aggregator is a new module with a class that has ``send``, ``parse_status`` and
``parse_inbound``, and one line in ``make_gateway``; no caller changes.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Protocol

from ledger.models import MessageStatus
from sms.settings import Settings

_NUMBER = re.compile(r"\+?\d[\d ]{5,}\d")


def redact(text: object, limit: int = 200) -> str:
    """A gateway's words for a log line: cut short, phone-like numbers masked."""
    return _NUMBER.sub("<number>", str(text)[:limit])


class Outcome(StrEnum):
    """What a gateway said about one recipient of a send."""

    ACCEPTED = "accepted"  # it has the message: never send it again
    REJECTED = "rejected"  # refused for good (bad number, blacklist...)
    RETRY = "retry"  # refused for now (no balance, server error): nothing went out
    UNKNOWN = "unknown"  # no answer (timeout): it may have gone out


@dataclass(frozen=True)
class SendResult:
    phone: str
    outcome: Outcome
    gateway_id: str | None = None
    cost: str | None = None
    reason: str | None = None


@dataclass(frozen=True)
class StatusReport:
    """A delivery report: what became of a message the gateway accepted."""

    gateway_id: str
    status: MessageStatus  # sent, delivered, failed or rejected
    phone: str | None = None
    reason: str | None = None


@dataclass(frozen=True)
class Inbound:
    gateway_id: str
    phone: str
    text: str
    to: str | None = None
    link_id: str | None = None
    received_at: dt.datetime | None = None  # naive UTC


class GatewayError(RuntimeError):
    """The gateway could not answer a question (not a send: sends have outcomes)."""


class Gateway(Protocol):
    name: str

    def send(self, text: str, phones: Sequence[str]) -> list[SendResult]:
        """Send one text to every phone (one request); one result per phone, never raises
        for gateway trouble (that is an outcome)."""
        ...

    def parse_status(self, form: Mapping[str, str]) -> StatusReport | None:
        """A delivery-report callback's fields, or None when they make no sense."""
        ...

    def balance(self) -> tuple[Decimal, str] | None:
        """The account's balance and its currency, or None when the gateway has none.
        Raises ``GatewayError`` when it cannot be read."""
        ...

    def parse_inbound(self, form: Mapping[str, str]) -> Inbound | None:
        """An incoming-SMS callback's fields, or None when they make no sense."""
        ...


def make_gateway(settings: Settings) -> Gateway:
    if settings.backend == "africastalking":
        from sms.gateways.africastalking import AfricasTalkingGateway

        return AfricasTalkingGateway(settings)
    if settings.backend == "console":
        from sms.gateways.console import ConsoleGateway

        return ConsoleGateway()
    raise ValueError(f"unknown SMS_BACKEND {settings.backend!r}: africastalking or console")
