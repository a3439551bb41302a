"""Console accounts: the password command, logging in and out, the lockout, the session cookie,
CSRF, and nothing secret in the logs."""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import select

from console import auth
from ledger import logins
from ledger.models import Member, PricePost
from tests.console.conftest import PASSWORD, csrf, login


def test_the_password_command_reads_one_line_and_hashes_it(runner, session, world):
    officer = world.staff["officer"]
    answer = runner.invoke(
        args=["user", "password", officer.phone], input="a new long password\nignored\n"
    )
    assert answer.exit_code == 0, answer.output
    assert "a new long password" not in answer.output
    session.expire_all()
    stored = session.get(Member, officer.id).password_hash
    assert stored.startswith("scrypt:")
    assert auth.checker("a new long password")(stored)


def test_the_password_command_refuses_members_and_short_passwords(runner, session, world):
    plain = world.members[0]
    answer = runner.invoke(args=["user", "password", plain.phone], input="long enough pass\n")
    assert answer.exit_code != 0 and "no coordinator" in answer.output
    answer = runner.invoke(args=["user", "password", world.staff["buyer"].phone], input="short\n")
    assert answer.exit_code != 0
    session.expire_all()
    assert session.get(Member, plain.id).password_hash is None


def test_login_sets_a_safe_session_cookie(app, client, world):
    answer = login(client, world.staff["coordinator"])
    assert answer.status_code == 302 and answer.headers["Location"] == "/console/"
    cookie = answer.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    assert client.get("/console/").status_code == 200

    secure = app.test_client()
    page = secure.get("/console/login", base_url="https://console.example")
    answer = secure.post(
        "/console/login",
        base_url="https://console.example",
        # Over HTTPS, Flask-WTF also wants the page the form came from (as browsers send).
        headers={"Referer": "https://console.example/console/login"},
        data={
            "phone": world.staff["coordinator"].phone,
            "password": PASSWORD,
            "csrf_token": csrf(page.text),
        },
    )
    assert answer.status_code == 302
    assert "Secure" in answer.headers["Set-Cookie"]


def test_without_the_csrf_token_nothing_happens(client, session, world):
    client.get("/console/login")
    answer = client.post(
        "/console/login", data={"phone": world.staff["officer"].phone, "password": PASSWORD}
    )
    assert answer.status_code == 400
    assert client.get("/console/").status_code == 302  # still logged out
    login(client, world.staff["coordinator"])
    answer = client.post(
        "/console/prices",
        data={"cooperative": "COOPBUNIA", "usd_per_gram": "90", "confirm": "1"},
    )
    assert answer.status_code == 400
    assert session.scalar(select(PricePost)) is None


def test_pages_need_a_login(client, world):
    for path in ("/console/", "/console/prices", "/console/groups/VSLA1", "/console/members"):
        answer = client.get(path)
        assert answer.status_code == 302
        assert answer.headers["Location"].startswith("/console/login")


def test_five_wrong_passwords_lock_the_login_for_15_minutes(client, session, world):
    buyer = world.staff["buyer"]
    for _ in range(logins.MAX_FAILURES - 1):
        assert login(client, buyer, "wrong password!").status_code == 401
    assert login(client, buyer, "wrong password!").status_code == 400  # locked now
    answer = login(client, buyer)  # the right one, too late
    assert answer.status_code == 400
    assert client.get("/console/").status_code == 302
    session.expire_all()
    until = session.get(Member, buyer.id).password_locked_until
    minutes = (until - dt.datetime.now(dt.UTC).replace(tzinfo=None)).total_seconds() / 60
    assert logins.LOCK_MINUTES - 1 < minutes <= logins.LOCK_MINUTES
    # The lock runs out.
    session.get(Member, buyer.id).password_locked_until = until - dt.timedelta(minutes=16)
    session.commit()
    assert login(client, buyer).status_code == 302


def test_an_unknown_phone_is_refused_like_a_wrong_password(client, world):
    unknown = login(client, world.members[0])  # a member without a password
    wrong = login(client, world.staff["officer"], "not the password")
    assert unknown.status_code == wrong.status_code == 401
    marker = 'aria-invalid="true"'
    assert marker in unknown.text and marker in wrong.text


def test_nothing_secret_reaches_the_logs(client, world, caplog):
    officer = world.staff["officer"]
    with caplog.at_level(logging.DEBUG):
        login(client, officer, "a wrong password")
        login(client, officer)
        client.get("/console/")
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert officer.phone not in logged and officer.phone[4:] not in logged
    assert PASSWORD not in logged and "a wrong password" not in logged
    assert "console login" in logged  # the lines are there, without the secrets


def test_logout_needs_the_form_and_ends_the_session(client, world):
    login(client, world.staff["officer"])
    assert client.post("/console/logout").status_code == 302  # no token: still in
    assert client.get("/console/").status_code == 200
    page = client.get("/console/")
    assert client.post("/console/logout", data={"csrf_token": csrf(page.text)}).status_code == 302
    assert client.get("/console/").status_code == 302


def test_a_new_password_ends_old_sessions(client, session, world):
    officer = world.staff["officer"]
    login(client, officer)
    assert client.get("/console/").status_code == 200
    logins.set_password(session, officer, auth.hash_password("another long password"))
    session.commit()
    assert client.get("/console/").status_code == 302


def test_a_member_without_a_staff_role_cannot_log_in(client, session, world):
    officer = world.staff["officer"]
    session.get(Member, officer.id).roles = "member"
    session.commit()
    assert login(client, officer).status_code == 401


def test_after_login_the_page_asked_for_opens_and_never_another_site(client, world):
    answer = client.get("/console/members")
    assert answer.status_code == 302
    target = answer.headers["Location"]
    page = client.get(target)
    answer = client.post(
        target,
        data={
            "phone": world.staff["officer"].phone,
            "password": PASSWORD,
            "csrf_token": csrf(page.text),
        },
    )
    assert answer.headers["Location"] == "/console/members"
    client.post("/console/logout", data={"csrf_token": csrf(client.get("/console/").text)})
    for evil in ("https://evil.example/console/", "//evil.example/console/", "/api/v1/x"):
        page = client.get("/console/login")
        answer = client.post(
            "/console/login?next=" + evil,
            data={
                "phone": world.staff["officer"].phone,
                "password": PASSWORD,
                "csrf_token": csrf(page.text),
            },
        )
        assert answer.headers["Location"] == "/console/", evil
        client.post("/console/logout", data={"csrf_token": csrf(client.get("/console/").text)})


def test_the_request_log_keeps_no_console_query_string(caplog):
    from console.logs import NoConsoleQueries

    record = logging.LogRecord(
        "werkzeug", logging.INFO, __file__, 1, '"%s" %s %s',
        ("GET /console/purchases?miner=Baraka+Kahindo HTTP/1.1", "200", "-"), None,
    )  # fmt: skip
    NoConsoleQueries().filter(record)
    assert "Baraka" not in record.getMessage()
    assert "/console/purchases?" in record.getMessage()
