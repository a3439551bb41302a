"""One configuration loader (``wsgi.load_config``) for the web process and the worker: the
contract's variables and each package's optional ones, read from the environment."""

from decimal import Decimal

from wsgi import create_app


def test_packages_read_their_options_from_the_environment_like_the_contract(
    monkeypatch, database_url, redis_url
):
    """One loader for web and worker: ``SMS_*`` and ``EVIDENCE_*`` come from the environment
    (typed as their defaults), and the packages install what the config says."""
    import worker
    from ledger.evidence import settings as evidence_settings
    from sms import settings as sms_settings

    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.setenv("SANDUKU_TZ", "UTC")
    monkeypatch.setenv("SMS_RELAY_INTERVAL", "0.7")
    monkeypatch.setenv("SMS_RETRY_BACKOFF", "1, 2")
    monkeypatch.setenv("SMS_BATCH_SIZE", "7")
    monkeypatch.setenv("EVIDENCE_PRICE_MULTIPLE", "1.5")
    monkeypatch.setenv("EVIDENCE_OUTLIER_MIN_MINERS", "4")
    app = create_app()
    assert app.config["SMS_RELAY_INTERVAL"] == 0.7
    assert app.config["SMS_RETRY_BACKOFF"] == (1.0, 2.0)
    assert app.config["SMS_BATCH_SIZE"] == 7
    assert app.config["EVIDENCE_PRICE_MULTIPLE"] == Decimal("1.5")
    sms_now, evidence_now = sms_settings.current(), evidence_settings.current()
    assert (sms_now.relay_interval, sms_now.batch_size, sms_now.tz) == (0.7, 7, "UTC")
    assert (evidence_now.price_multiple, evidence_now.outlier_min_miners) == (Decimal("1.5"), 4)
    assert evidence_now.tz == "UTC"
    relay = next(task for task in worker.SCHEDULE if task.name == "relay")
    assert relay.interval(app.config) == 0.7  # the worker's schedule reads the same config
    # Unset, each key has its default; a test's own config still wins over both.
    monkeypatch.delenv("EVIDENCE_PRICE_MULTIPLE")
    app = create_app({"SMS_BATCH_SIZE": 3})
    assert app.config["EVIDENCE_PRICE_MULTIPLE"] == Decimal("1.2")
    assert sms_settings.current().batch_size == 3
