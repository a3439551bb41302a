"""Figures the workers leave in Redis for operators (``/metrics`` reads them): gateway errors
by kind, and the SMS account's balance. Redis, not process memory, so every worker on every
machine adds to the same figures. Best effort: a figure lost with Redis loses no message."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable

import redis

from sms.gateways import Outcome, SendResult

log = logging.getLogger(__name__)

GATEWAY_ERRORS_KEY = "sanduku:stats:gateway_errors"
BALANCE_KEY = "sanduku:stats:sms_balance"

#: What went wrong with a whole request, by the reason the gateway adapter gives.
REQUEST_ERRORS = {
    "gateway unreachable": "unreachable",
    "connection lost": "connection_lost",
    "timeout": "timeout",
    "unreadable answer": "unreadable_answer",
    "no recipients in answer": "no_recipients",
    "missing from answer": "missing_recipient",
}
#: Africa's Talking's names for a recipient it did not take (a bounded set of labels).
RECIPIENT_ERRORS = frozenset(
    {
        "RiskHold",
        "InvalidSenderId",
        "InvalidPhoneNumber",
        "UnsupportedNumberType",
        "InsufficientBalance",
        "UserInBlacklist",
        "CouldNotRoute",
        "InternalServerError",
        "GatewayError",
        "RejectedByGateway",
    }
)


def error_kind(reason: str | None) -> str:
    reason = reason or ""
    if reason in REQUEST_ERRORS:
        return REQUEST_ERRORS[reason]
    if reason.startswith("gateway error"):
        return "http_error"
    return reason if reason in RECIPIENT_ERRORS else "other"


def count_gateway_errors(connection: redis.Redis, results: Iterable[SendResult]) -> Counter:
    """Add each recipient the gateway did not take to its kind's count."""
    kinds = Counter(error_kind(r.reason) for r in results if r.outcome != Outcome.ACCEPTED)
    if kinds:
        try:
            with connection.pipeline(transaction=False) as pipe:
                for kind, n in kinds.items():
                    pipe.hincrby(GATEWAY_ERRORS_KEY, kind, n)
                pipe.execute()
        except redis.RedisError as exc:
            log.debug("gateway errors not counted: %s", exc)
    return kinds


def gateway_errors(connection: redis.Redis) -> dict[str, int]:
    return {k.decode(): int(v) for k, v in connection.hgetall(GATEWAY_ERRORS_KEY).items()}


def store_balance(
    connection: redis.Redis, amount: str, currency: str, low: bool, checked_at: float
) -> None:
    connection.hset(
        BALANCE_KEY,
        mapping={
            "amount": amount,
            "currency": currency,
            "low": int(low),
            "checked_at": repr(checked_at),
        },
    )


def balance(connection: redis.Redis) -> dict | None:
    """The SMS account's balance as last read by a worker: ``amount`` (a decimal string),
    ``currency``, ``low`` (bool), ``checked_at`` (Unix time); ``None`` before the first."""
    raw = {k.decode(): v.decode() for k, v in connection.hgetall(BALANCE_KEY).items()}
    if not raw:
        return None
    return {
        "amount": raw["amount"],
        "currency": raw["currency"],
        "low": raw["low"] == "1",
        "checked_at": float(raw["checked_at"]),
    }
