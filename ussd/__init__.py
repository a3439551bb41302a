"""The USSD conversation: the gateway webhook, sessions in Redis, screens and menus."""

from flask import Flask


def init_app(app: Flask) -> None:
    pass
