"""Payouts by mobile money: the provider gateways (``PAYOUT_BACKEND``: ``console``,
``mpesa``), the worker's jobs that send and settle payouts, and the provider's callback.
The payouts themselves and their state machine are the books' (``ledger.payouts``)."""

from flask import Flask


def init_app(app: Flask) -> None:
    from payouts import settings, views

    settings.install(settings.Settings.from_config(app.config))
    app.register_blueprint(views.bp)
