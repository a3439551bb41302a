"""Error tracking (sentry-sdk) when ``SENTRY_DSN`` is set: the Flask and RQ integrations, and
errors logged at ERROR. Nothing personal leaves: ``send_default_pii=False``, no request bodies,
no local variables, no query strings, and every event and breadcrumb goes through ``scrub``,
which removes phone numbers, PINs and SMS texts wherever they are (an exception's message is
dropped whole: it may quote anything; its type and frames are kept)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from flask import Flask

FILTERED = "[Filtered]"
#: Keys whose values are dropped wherever they appear (compared lower-case, without - or _).
SENSITIVE_KEYS = frozenset(
    {
        "phone",
        "phonenumber",
        "phones",
        "from",
        "to",
        "text",
        "body",
        "message_body",
        "pin",
        "newpin",
        "code",
        "password",
        "token",
        "secret",
        "apikey",
        "authorization",
        "cookie",
        "xcallbacktoken",
        "querystring",
        "data",
        "vars",
        "args",
        "kwargs",
        "recipients",
        "params",
        "formatted",
        "description",
    }
)
#: Sentry's own fields, kept as they are (times and ids would be mangled by the masks).
SAFE_KEYS = frozenset(
    {
        "timestamp",
        "starttimestamp",
        "eventid",
        "traceid",
        "spanid",
        "parentspanid",
        "release",
        "version",
        "build",
        "lineno",
        "colno",
    }
)
#: A phone number as it may appear in free text (+243 81 000 0001, 0810000001...).
PHONE = re.compile(r"\+?\d[\d ().-]{6,}\d")
#: A USSD text: the replies typed, PINs among them (1*2580*3).
USSD_TEXT = re.compile(r"\b\d+(?:\*\d*)+\b")
#: Four to six digits on their own: a PIN or an enrolment code.
SHORT_SECRET = re.compile(r"(?<![\w.])\d{4,6}(?![\w.])")


def _key(name: object) -> str:
    return str(name).lower().replace("-", "").replace("_", "")


def scrub_text(text: str) -> str:
    text = USSD_TEXT.sub(FILTERED, text)
    text = PHONE.sub(FILTERED, text)
    return SHORT_SECRET.sub(FILTERED, text)


def scrub(value: Any, key: object = None) -> Any:
    """``value`` with every sensitive key's value and every phone-, PIN- or USSD-text-like
    piece of text replaced by ``[Filtered]``."""
    if key is not None and _key(key) in SENSITIVE_KEYS:
        return FILTERED if value not in (None, "", [], {}) else value
    if key is not None and _key(key) in SAFE_KEYS:
        return value
    if isinstance(value, Mapping):
        return {k: scrub(v, k) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(scrub(v) for v in value)
    if isinstance(value, str):
        return scrub_text(value)
    return value


def before_send(event: dict, _hint: dict) -> dict:
    """Every event: scrubbed whole (messages, request, extra, contexts), exception messages
    dropped. The exception's type, module paths, function names and line numbers are kept:
    they are what a developer needs."""
    frames_kept = {}
    for n, exception in enumerate((event.get("exception") or {}).get("values") or []):
        frames_kept[n] = [
            {k: frame.get(k) for k in ("filename", "module", "function", "lineno", "in_app")}
            for frame in (exception.get("stacktrace") or {}).get("frames") or []
        ]
    cleaned = scrub(event)
    for n, exception in enumerate((cleaned.get("exception") or {}).get("values") or []):
        if exception.get("stacktrace"):
            exception["stacktrace"] = {"frames": frames_kept[n]}
        # An exception's message may quote anything it was given (a database's DETAIL line
        # names the values, a text may be in it): its type, frames and the log line's
        # template say where; the words stay here.
        if exception.get("value"):
            exception["value"] = FILTERED
    return cleaned


def before_breadcrumb(crumb: dict, _hint: dict) -> dict:
    return scrub(crumb)


def init_app(app: Flask) -> None:
    dsn = app.config.get("SENTRY_DSN")
    if not dsn:
        return
    import sentry_sdk
    from sentry_sdk.integrations.flask import FlaskIntegration
    from sentry_sdk.integrations.rq import RqIntegration

    sentry_sdk.init(
        dsn=dsn,
        integrations=[FlaskIntegration(), RqIntegration()],
        send_default_pii=False,
        include_local_variables=False,
        max_request_body_size="never",
        before_send=before_send,
        before_breadcrumb=before_breadcrumb,
        environment=app.config.get("SENTRY_ENVIRONMENT") or "production",
        # Tests hand a transport that keeps events in memory (nothing goes on the network).
        transport=app.config.get("SENTRY_TRANSPORT"),
    )
