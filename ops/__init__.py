"""Running the service: the callbacks' guard, the server secret, logging, ``GET /healthz``,
``GET /metrics``, ``sanduku check``
and ``sanduku demo`` (seed, then the web server and a
worker together). Not a channel: it may use every package."""

from flask import Flask


def init_app(app: Flask) -> None:
    from ops import callbacks, cli, metrics, views

    app.register_blueprint(views.bp)
    cli.init_app(app)
    callbacks.init_app(app)
    metrics.init_app(app)
