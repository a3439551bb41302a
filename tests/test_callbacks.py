"""The gateway's three callbacks (``/ussd``, ``/sms/delivery``, ``/sms/inbound``) as an
attacker meets them: closed without a token when a real gateway is configured, the token in
the query or the header, compared as bytes (a non-ASCII token is a 403, never a 500), the
caller's address checked against ``CALLBACK_ALLOW`` (behind ``PROXY_COUNT`` proxies), and
bad settings refused when the app starts."""

from __future__ import annotations

import ast
import logging
import urllib.parse
from pathlib import Path

import pytest

from ledger import db
from ops.errors import ConfigError
from tests import factories, services
from wsgi import create_app

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "callback-token-0123456789"


def forms(phone: str) -> dict[str, dict[str, str]]:
    """One valid request per callback."""
    return {
        "/ussd": {"sessionId": "cb-1", "phoneNumber": phone, "serviceCode": "*384*1#", "text": ""},
        "/sms/delivery": {"id": "ATXid_1", "status": "Success", "phoneNumber": phone},
        "/sms/inbound": {"id": "in-1", "from": phone, "to": "12345", "text": "habari"},
    }


@pytest.fixture
def make_app(database_url, redis_url):
    made = []

    def make(**config):
        app = create_app(
            {
                "TESTING": True,
                "DATABASE_URL": database_url,
                "REDIS_URL": redis_url,
                "SMS_BACKEND": "console",
                "CALLBACK_TOKEN": None,
                "SECRET_KEY": services.SECRET_KEY,
                **config,
            }
        )
        made.append(app)
        return app

    yield make
    db.session.remove()


@pytest.fixture
def member_phone(make_app):
    app = make_app()
    services.clean_tables(db.engine())
    app.extensions["redis"].flushdb()
    with app.app_context():
        session = db.session()
        phone = factories.member(session, name="Amani Furaha").phone
        session.commit()
    return phone


def post_all(app, phone, *, query=None, headers=None, remote="127.0.0.1"):
    client = app.test_client()
    return {
        path: client.post(
            path,
            data=form,
            query_string=query,
            headers=headers,
            environ_base={"REMOTE_ADDR": remote},
        ).status_code
        for path, form in forms(phone).items()
    }


REAL_GATEWAY = {
    "SMS_BACKEND": "africastalking",
    "AT_USERNAME": "sanduku",
    "AT_API_KEY": "k",
    "AT_API_URL": "http://127.0.0.1:9/version1",
}


def test_a_real_gateway_without_token_fails_closed_and_says_so(make_app, member_phone, caplog):
    with caplog.at_level(logging.ERROR):
        app = make_app(**REAL_GATEWAY)
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1 and "CALLBACK_TOKEN" in errors[0].getMessage()
    assert set(post_all(app, member_phone).values()) == {403}
    assert set(post_all(app, member_phone, query={"token": ""}).values()) == {403}
    assert set(post_all(app, member_phone, headers={"X-Callback-Token": ""}).values()) == {403}


def test_the_console_backend_may_run_without_token(make_app, member_phone):
    assert set(post_all(make_app(), member_phone).values()) == {200}


def test_the_token_in_the_query_or_in_the_header(make_app, member_phone):
    app = make_app(**REAL_GATEWAY, CALLBACK_TOKEN=TOKEN)
    assert set(post_all(app, member_phone).values()) == {403}
    assert set(post_all(app, member_phone, query={"token": TOKEN}).values()) == {200}
    assert set(post_all(app, member_phone, headers={"X-Callback-Token": TOKEN}).values()) == {200}
    for wrong in ("nope", TOKEN[:-1], TOKEN + "x", TOKEN.upper()):
        assert set(post_all(app, member_phone, query={"token": wrong}).values()) == {403}
        headers = {"X-Callback-Token": wrong}
        assert set(post_all(app, member_phone, headers=headers).values()) == {403}


@pytest.mark.parametrize("configured", [TOKEN, "jéton-secret-ünïcode-42"])
@pytest.mark.parametrize(
    "sent",
    [b"\xc3\xa9", "jéton".encode(), "☃".encode() * 30, b"\xff\xfe", b"tok\x00en", b"\xed\xb3\xbf"],
)
def test_a_non_ascii_token_is_a_403_never_a_500(make_app, member_phone, configured, sent):
    app = make_app(CALLBACK_TOKEN=configured)
    raw_query = "token=" + urllib.parse.quote_from_bytes(sent)  # any bytes, even not UTF-8
    assert set(post_all(app, member_phone, query=raw_query).values()) == {403}
    header = {"X-Callback-Token": sent.decode("latin-1")}  # the bytes as a header carries them
    assert set(post_all(app, member_phone, headers=header).values()) == {403}


def test_a_non_ascii_token_configured_is_matched_as_utf8(make_app, member_phone):
    token = "jéton-secret-ünïcode-42"
    app = make_app(CALLBACK_TOKEN=token)
    assert set(post_all(app, member_phone, query={"token": token}).values()) == {200}
    as_sent = {"X-Callback-Token": token.encode().decode("latin-1")}  # its UTF-8 bytes
    assert set(post_all(app, member_phone, headers=as_sent).values()) == {200}


def test_callback_allow_limits_the_callers(make_app, member_phone):
    app = make_app(CALLBACK_TOKEN=TOKEN, CALLBACK_ALLOW="10.0.0.0/8, 2001:db8::/32")
    query = {"token": TOKEN}
    assert set(post_all(app, member_phone, query=query).values()) == {403}  # 127.0.0.1
    assert set(post_all(app, member_phone, query=query, remote="10.20.30.40").values()) == {200}
    assert set(post_all(app, member_phone, query=query, remote="2001:db8::7").values()) == {200}
    assert set(post_all(app, member_phone, query=query, remote="11.0.0.1").values()) == {403}
    # the address alone is not enough: the token still applies
    assert set(post_all(app, member_phone, remote="10.20.30.40").values()) == {403}
    # without PROXY_COUNT a forwarded address is not believed
    forged = {"X-Forwarded-For": "10.20.30.40"}
    assert set(post_all(app, member_phone, query=query, headers=forged).values()) == {403}
    # other paths are not callbacks
    assert app.test_client().get("/healthz").status_code == 200


def test_behind_a_proxy_the_forwarded_address_counts(make_app, member_phone):
    app = make_app(CALLBACK_TOKEN=TOKEN, CALLBACK_ALLOW="10.0.0.0/8", PROXY_COUNT="1")
    query = {"token": TOKEN}
    through_proxy = {"X-Forwarded-For": "10.20.30.40"}
    assert set(post_all(app, member_phone, query=query, headers=through_proxy).values()) == {200}
    # a client prepending its own X-Forwarded-For does not pass: the proxy's entry is last
    forged = {"X-Forwarded-For": "10.20.30.40, 198.51.100.7"}
    assert set(post_all(app, member_phone, query=query, headers=forged).values()) == {403}
    assert set(post_all(app, member_phone, query=query).values()) == {403}  # no header


@pytest.mark.parametrize(
    "config, words",
    [
        ({"CALLBACK_ALLOW": "10.0.0.0/33"}, "CALLBACK_ALLOW"),
        ({"CALLBACK_ALLOW": "10.0.0.1/8"}, "CALLBACK_ALLOW"),
        ({"CALLBACK_ALLOW": "not-an-address"}, "CALLBACK_ALLOW"),
        ({"CALLBACK_ALLOW": "10.0.0.0/8,,"}, "CALLBACK_ALLOW"),
        ({"PROXY_COUNT": "-1"}, "PROXY_COUNT"),
        ({"PROXY_COUNT": "two"}, "PROXY_COUNT"),
        ({**REAL_GATEWAY, "CALLBACK_TOKEN": TOKEN, "SECRET_KEY": None}, "SECRET_KEY"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY"),
    ],
)
def test_bad_settings_are_a_clear_error_at_start(make_app, config, words):
    with pytest.raises(ConfigError) as caught:
        make_app(**config)
    assert words in str(caught.value)


def test_the_demo_secret_is_generated_once_and_kept_private(tmp_path):
    from ops.secret import instance_secret

    first = instance_secret(tmp_path)
    assert len(first) >= 32
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    assert instance_secret(tmp_path) == first
    assert [p.name for p in tmp_path.iterdir()] == ["secret_key"]  # no temporary file left
    (tmp_path / "secret_key").chmod(0o644)  # loosened by hand: tightened again
    assert instance_secret(tmp_path) == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_processes_starting_together_agree_on_one_secret(tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    from ops.secret import instance_secret

    with ThreadPoolExecutor(8) as pool:
        secrets_ = set(pool.map(lambda _n: instance_secret(tmp_path), range(32)))
    assert len(secrets_) == 1 and len(secrets_.pop()) >= 32


def test_ussd_and_sms_never_import_each_other():
    """The channels stay apart (the callback guard lives in neither)."""
    for package, other in (("ussd", "sms"), ("sms", "ussd")):
        for path in (ROOT / package).rglob("*.py"):
            tree = ast.parse(path.read_text())
            for node in ast.walk(tree):
                names = []
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.module:
                    names = [node.module]
                for name in names:
                    assert name.split(".")[0] != other, f"{path} imports {name}"
