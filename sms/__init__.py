"""SMS out and in: templates, GSM-7, gateways, the outbox relay, RQ jobs and webhooks."""

from flask import Flask


def init_app(app: Flask) -> None:
    pass
