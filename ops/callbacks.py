"""One guard for the gateway's callbacks (``/ussd``, ``/sms/delivery``, ``/sms/inbound``):
every view a channel marks ``gateway_callback = True``. The token (``?token=`` or the
``X-Callback-Token`` header, compared in constant time on bytes), then the caller's address
when ``CALLBACK_ALLOW`` is set (behind ``PROXY_COUNT`` trusted proxies). With a real gateway
and no ``CALLBACK_TOKEN`` the callbacks are closed (403), and the start says so once."""

from __future__ import annotations

import hmac
import ipaddress
import logging

from flask import Flask, abort, request
from werkzeug.middleware.proxy_fix import ProxyFix

from ops.errors import ConfigError
from ops.secret import real_gateway

log = logging.getLogger("sanduku")

#: The header a gateway (or a proxy in front of us) may carry the callback token in, so it
#: stays out of the access logs that record query strings.
CALLBACK_HEADER = "X-Callback-Token"


def parse_allow(raw: str | None) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    if not raw:
        return []
    networks = []
    for part in raw.split(","):
        try:
            networks.append(ipaddress.ip_network(part.strip()))
        except ValueError:
            raise ConfigError(
                f"CALLBACK_ALLOW: {part.strip()!r} is not a network such as 10.0.0.0/8"
            ) from None
    return networks


def parse_proxy_count(raw: object) -> int:
    try:
        count = int(str(raw if raw not in (None, "") else 0).strip())
    except ValueError:
        count = -1
    if count < 0:
        raise ConfigError(f"PROXY_COUNT must be a whole number, 0 or more, not {raw!r}")
    return count


def _same_token(sent: bytes | None, expected: str) -> bool:
    """Constant-time, on bytes: anything sent (non-ASCII, not even UTF-8) is just unequal."""
    return sent is not None and hmac.compare_digest(sent, expected.encode("utf-8", "surrogatepass"))


def _raw(value: str | None, encoding: str) -> bytes | None:
    """The bytes behind a request value: the query is read as UTF-8, a header as WSGI's
    latin-1 (so a header carrying a UTF-8 token matches it byte for byte)."""
    if value is None:
        return None
    try:
        return value.encode(encoding, "surrogatepass")
    except UnicodeError:
        return b""


def init_app(app: Flask) -> None:
    """One guard for every view marked ``gateway_callback``: the token (query or header),
    then the caller's address when ``CALLBACK_ALLOW`` is set. With a real gateway and no
    ``CALLBACK_TOKEN`` the callbacks are closed (403) and the start says so once. A bad
    ``CALLBACK_ALLOW`` or ``PROXY_COUNT`` stops the start."""
    allow = parse_allow(app.config.get("CALLBACK_ALLOW"))
    proxies = parse_proxy_count(app.config.get("PROXY_COUNT"))
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies)
    if real_gateway(app) and not app.config.get("CALLBACK_TOKEN"):
        log.error(
            "CALLBACK_TOKEN is not set while SMS_BACKEND=%s: /ussd, /sms/delivery and "
            "/sms/inbound answer 403 until it is",
            app.config["SMS_BACKEND"],
        )

    def guard() -> None:
        view = app.view_functions.get(request.endpoint or "")
        if not getattr(view, "gateway_callback", False):
            return
        expected = app.config.get("CALLBACK_TOKEN")
        if expected:
            sent = (
                _raw(request.args.get("token"), "utf-8"),
                _raw(request.headers.get(CALLBACK_HEADER), "latin-1"),
            )
            if not any([_same_token(value, expected) for value in sent]):
                abort(403)
        elif real_gateway(app):
            abort(403)
        if allow:
            try:
                address = ipaddress.ip_address(request.remote_addr or "")
            except ValueError:
                abort(403)
            if not any(address in network for network in allow):
                abort(403)

    app.before_request(guard)
