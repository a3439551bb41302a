"""SMS out and in: templates, GSM-7, gateways, the outbox relay, RQ jobs and webhooks."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Settings from the config, the outbox's subscriptions, and the callbacks."""
    from sms import broadcasts, settings, views, vsla

    settings.install(settings.Settings.from_config(app.config))
    broadcasts.subscribe()  # the outbox's subscriptions, and the price's broadcast
    vsla.subscribe()
    app.register_blueprint(views.bp)
