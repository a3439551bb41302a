"""The SMS pipeline's settings, read once per process from the Flask config.

``sms.init_app`` fills the config with the tuning keys of ``sms.defaults`` (an environment
variable of the same name overrides the default) and installs the result here, so jobs in a
worker read the same settings as the web process.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from sms import defaults


def _parse(name: str, raw: str, default: Any) -> Any:
    if isinstance(default, tuple):
        return tuple(float(part) for part in raw.split(",") if part.strip())
    if isinstance(default, int):
        return int(raw)
    if isinstance(default, float):
        return float(raw)
    return raw


def tuning_from_env(config: dict) -> None:
    """Put every ``SMS_*`` tuning key into ``config`` unless it is already there."""
    for name in dir(defaults):
        if not name.startswith("SMS_"):
            continue
        default = getattr(defaults, name)
        raw = os.environ.get(name)
        config.setdefault(name, _parse(name, raw, default) if raw else default)


@dataclass(frozen=True)
class Settings:
    backend: str = "console"
    redis_url: str | None = None
    at_username: str | None = None
    at_api_key: str | None = None
    at_sender_id: str | None = None
    at_api_url: str = "https://api.africastalking.com/version1"
    tz: str = "Africa/Lubumbashi"
    batch_size: int = defaults.SMS_BATCH_SIZE
    personal_per_job: int = defaults.SMS_PERSONAL_PER_JOB
    relay_interval: float = defaults.SMS_RELAY_INTERVAL
    relay_chunk: int = defaults.SMS_RELAY_CHUNK
    reminder_interval: float = defaults.SMS_REMINDER_INTERVAL
    timeout: tuple[float, float] = (defaults.SMS_CONNECT_TIMEOUT, defaults.SMS_READ_TIMEOUT)
    retry_backoff: tuple[float, ...] = field(default=defaults.SMS_RETRY_BACKOFF)
    queued_lease: float = defaults.SMS_QUEUED_LEASE
    claim_timeout: float = defaults.SMS_CLAIM_TIMEOUT
    unknown_grace: float = defaults.SMS_UNKNOWN_GRACE
    price_ttl: float = defaults.SMS_PRICE_TTL
    job_timeout: int = defaults.SMS_JOB_TIMEOUT
    queue: str = defaults.SMS_QUEUE
    result_ttl: int = defaults.SMS_RESULT_TTL
    replies_per_hour: int = defaults.SMS_REPLIES_PER_HOUR
    report_retry: tuple[float, ...] = field(default=defaults.SMS_REPORT_RETRY)
    purge_interval: float = defaults.SMS_PURGE_INTERVAL
    keep_idempotency_days: int = defaults.SMS_KEEP_IDEMPOTENCY_DAYS
    keep_messages_days: int = defaults.SMS_KEEP_MESSAGES_DAYS
    keep_inbound_days: int = defaults.SMS_KEEP_INBOUND_DAYS
    keep_unmatched_days: int = defaults.SMS_KEEP_UNMATCHED_DAYS
    unmatched_max: int = defaults.SMS_UNMATCHED_MAX

    @classmethod
    def from_config(cls, config: dict) -> Settings:
        return cls(
            backend=config.get("SMS_BACKEND") or "console",
            redis_url=config.get("REDIS_URL"),
            at_username=config.get("AT_USERNAME"),
            at_api_key=config.get("AT_API_KEY"),
            at_sender_id=config.get("AT_SENDER_ID"),
            at_api_url=(config.get("AT_API_URL") or cls.at_api_url).rstrip("/"),
            tz=config.get("SANDUKU_TZ") or cls.tz,
            batch_size=int(config["SMS_BATCH_SIZE"]),
            personal_per_job=int(config["SMS_PERSONAL_PER_JOB"]),
            relay_interval=float(config["SMS_RELAY_INTERVAL"]),
            relay_chunk=int(config["SMS_RELAY_CHUNK"]),
            reminder_interval=float(config["SMS_REMINDER_INTERVAL"]),
            timeout=(float(config["SMS_CONNECT_TIMEOUT"]), float(config["SMS_READ_TIMEOUT"])),
            retry_backoff=tuple(float(s) for s in config["SMS_RETRY_BACKOFF"]),
            queued_lease=float(config["SMS_QUEUED_LEASE"]),
            claim_timeout=float(config["SMS_CLAIM_TIMEOUT"]),
            unknown_grace=float(config["SMS_UNKNOWN_GRACE"]),
            price_ttl=float(config["SMS_PRICE_TTL"]),
            job_timeout=int(config["SMS_JOB_TIMEOUT"]),
            queue=str(config["SMS_QUEUE"]),
            result_ttl=int(config["SMS_RESULT_TTL"]),
            replies_per_hour=int(config["SMS_REPLIES_PER_HOUR"]),
            report_retry=tuple(float(s) for s in config["SMS_REPORT_RETRY"]),
            purge_interval=float(config["SMS_PURGE_INTERVAL"]),
            keep_idempotency_days=int(config["SMS_KEEP_IDEMPOTENCY_DAYS"]),
            keep_messages_days=int(config["SMS_KEEP_MESSAGES_DAYS"]),
            keep_inbound_days=int(config["SMS_KEEP_INBOUND_DAYS"]),
            keep_unmatched_days=int(config["SMS_KEEP_UNMATCHED_DAYS"]),
            unmatched_max=int(config["SMS_UNMATCHED_MAX"]),
        )


_current = Settings()


def install(settings: Settings) -> None:
    global _current
    _current = settings


def current() -> Settings:
    """This process's settings (installed by ``sms.init_app``)."""
    return _current
