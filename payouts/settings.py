"""The payout pipeline's settings, read once per process from the Flask config (the
``PAYOUT_*`` and ``MPESA_*`` keys, an environment variable of the same name each)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from payouts import defaults

#: The optional configuration keys and their defaults.
OPTIONS: dict[str, object] = {
    **{name: getattr(defaults, name) for name in dir(defaults) if name.startswith("PAYOUT_")},
    "MPESA_API_URL": "https://openapi.m-pesa.com/sandbox/ipg/v2/vodacomDRC",
    "MPESA_API_KEY": "",
    "MPESA_PUBLIC_KEY": "",
    "MPESA_SERVICE_PROVIDER_CODE": "",
    "MPESA_COUNTRY": "DRC",
    "MPESA_ORIGIN": "*",
}


@dataclass(frozen=True)
class Settings:
    backend: str = "console"
    scan_interval: float = defaults.PAYOUT_SCAN_INTERVAL
    max_attempts: int = defaults.PAYOUT_MAX_ATTEMPTS
    retry_backoff: tuple[float, ...] = field(default=defaults.PAYOUT_RETRY_BACKOFF)
    timeout: tuple[float, float] = (defaults.PAYOUT_CONNECT_TIMEOUT, defaults.PAYOUT_READ_TIMEOUT)
    claim_timeout: float = defaults.PAYOUT_CLAIM_TIMEOUT
    query_interval: float = defaults.PAYOUT_QUERY_INTERVAL
    unknown_flag_hours: int = defaults.PAYOUT_UNKNOWN_FLAG_HOURS
    batch: int = defaults.PAYOUT_BATCH
    mpesa_api_url: str = str(OPTIONS["MPESA_API_URL"])
    mpesa_api_key: str = ""
    mpesa_public_key: str = ""
    mpesa_service_provider_code: str = ""
    mpesa_country: str = "DRC"
    mpesa_origin: str = "*"

    @classmethod
    def from_config(cls, config: Mapping) -> Settings:
        get = lambda key: config.get(key, OPTIONS.get(key))  # noqa: E731
        return cls(
            backend=str(config.get("PAYOUT_BACKEND") or "console"),
            scan_interval=float(get("PAYOUT_SCAN_INTERVAL")),
            max_attempts=int(get("PAYOUT_MAX_ATTEMPTS")),
            retry_backoff=_seconds(get("PAYOUT_RETRY_BACKOFF")),
            timeout=(float(get("PAYOUT_CONNECT_TIMEOUT")), float(get("PAYOUT_READ_TIMEOUT"))),
            claim_timeout=float(get("PAYOUT_CLAIM_TIMEOUT")),
            query_interval=float(get("PAYOUT_QUERY_INTERVAL")),
            unknown_flag_hours=int(get("PAYOUT_UNKNOWN_FLAG_HOURS")),
            batch=int(get("PAYOUT_BATCH")),
            mpesa_api_url=str(get("MPESA_API_URL")).rstrip("/"),
            mpesa_api_key=str(get("MPESA_API_KEY") or ""),
            mpesa_public_key=str(get("MPESA_PUBLIC_KEY") or ""),
            mpesa_service_provider_code=str(get("MPESA_SERVICE_PROVIDER_CODE") or ""),
            mpesa_country=str(get("MPESA_COUNTRY") or "DRC"),
            mpesa_origin=str(get("MPESA_ORIGIN") or "*"),
        )


#: The payout gateways ``PAYOUT_BACKEND`` may name.
BACKENDS = ("console", "mpesa")


def problems(settings: Settings) -> list[str]:
    """What stops payouts from working, one line each (the process refuses to start)."""
    if settings.backend not in BACKENDS:
        return [f"PAYOUT_BACKEND must be one of {', '.join(BACKENDS)}, not {settings.backend!r}"]
    if settings.backend == "mpesa":
        needed = {
            "MPESA_API_KEY": settings.mpesa_api_key,
            "MPESA_PUBLIC_KEY": settings.mpesa_public_key,
            "MPESA_SERVICE_PROVIDER_CODE": settings.mpesa_service_provider_code,
        }
        return [f"PAYOUT_BACKEND=mpesa needs {key}" for key, value in needed.items() if not value]
    return []


def _seconds(value: object) -> tuple[float, ...]:
    """A tuple of seconds from the config: a tuple, or comma-separated text."""
    parts = value.split(",") if isinstance(value, str) else value
    return tuple(float(part) for part in parts if str(part).strip())


_current = Settings()


def install(settings: Settings) -> None:
    global _current
    _current = settings


def current() -> Settings:
    return _current
