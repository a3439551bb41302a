"""The SMS pipeline's settings, read once per process from the Flask config.

``create_app`` puts every tuning key of ``sms.defaults`` (``OPTIONS``) into the config (an
environment variable of the same name overrides the default) and ``sms.init_app`` installs
the result here, so jobs in a worker read the same settings as the web process.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ledger.defaults import TIME_ZONE
from sms import defaults

#: The optional configuration keys of the pipeline (an environment variable of the same name
#: each) and their defaults: every ``SMS_*`` of ``sms.defaults``.
OPTIONS = {name: getattr(defaults, name) for name in dir(defaults) if name.startswith("SMS_")}


@dataclass(frozen=True)
class Settings:
    backend: str = "console"
    redis_url: str | None = None
    at_username: str | None = None
    at_api_key: str | None = None
    at_sender_id: str | None = None
    at_api_url: str = "https://api.africastalking.com/version1"
    tz: str = TIME_ZONE
    ussd_code: str = "*384*1#"
    batch_size: int = defaults.SMS_BATCH_SIZE
    personal_per_job: int = defaults.SMS_PERSONAL_PER_JOB
    broadcast_requests_per_job: int = defaults.SMS_BROADCAST_REQUESTS_PER_JOB
    relay_interval: float = defaults.SMS_RELAY_INTERVAL
    relay_chunk: int = defaults.SMS_RELAY_CHUNK
    broadcast_batch: int = defaults.SMS_BROADCAST_BATCH
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
    balance_interval: float = defaults.SMS_BALANCE_INTERVAL
    balance_low: float = defaults.SMS_BALANCE_LOW

    @property
    def broadcast_per_job(self) -> int:
        """Recipients of a broadcast per RQ job."""
        return self.batch_size * self.broadcast_requests_per_job

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
            ussd_code=config.get("USSD_CODE") or cls.ussd_code,
            batch_size=int(config["SMS_BATCH_SIZE"]),
            personal_per_job=int(config["SMS_PERSONAL_PER_JOB"]),
            broadcast_requests_per_job=int(config["SMS_BROADCAST_REQUESTS_PER_JOB"]),
            relay_interval=float(config["SMS_RELAY_INTERVAL"]),
            relay_chunk=int(config["SMS_RELAY_CHUNK"]),
            broadcast_batch=int(config["SMS_BROADCAST_BATCH"]),
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
            balance_interval=float(config["SMS_BALANCE_INTERVAL"]),
            balance_low=float(config["SMS_BALANCE_LOW"]),
        )


_current = Settings()


def install(settings: Settings) -> None:
    global _current
    _current = settings


def current() -> Settings:
    """This process's settings (installed by ``sms.init_app``)."""
    return _current
