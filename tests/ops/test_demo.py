"""The README's demo: seeded data, a web server and a worker that sends the receipts."""

import os
import re
import signal
import socket
import subprocess
import sys
from pathlib import Path

import redis
import requests
from sqlalchemy import create_engine, text

from ledger import demo as demo_data
from ops import embedded
from tests.waiting import wait_until

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_demo_serves_and_its_worker_sends_receipts(tmp_path, redis_url):
    redis.Redis.from_url(redis_url).flushdb()
    db_url = f"sqlite:///{tmp_path / 'demo.db'}"
    port = free_port()
    log = (tmp_path / "demo.log").open("w+")
    env = {**os.environ, "DATABASE_URL": db_url, "REDIS_URL": redis_url}
    env.pop("AT_API_KEY", None)
    demo = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "demo", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:

        def healthy():
            try:
                return requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1).ok
            except requests.ConnectionError:
                return False

        wait_until(healthy, 30, "the demo web server")
        printed = (tmp_path / "demo.log").read_text()
        token = re.search(r"Bearer (\S+)'", printed).group(1)
        # everyone without a PIN has an enrolment code to try the phone with
        for name, code in demo_data.CODES.items():
            assert f"{name} " in printed and f"enrolment code {code}" in printed
        answer = requests.get(
            f"http://127.0.0.1:{port}/api/v1/members",
            params={"phone": "0810000001"},
            headers={"Authorization": f"Bearer {token}"},
            timeout=5,
        )
        assert answer.status_code == 200
        assert [m["name"] for m in answer.json()["members"]] == ["Furaha Kahindo", "Baraka Kahindo"]
        # The console logins printed let their people in.
        for name, password in demo_data.CONSOLE_PASSWORDS.items():
            phone = re.search(rf"(\+243\d+)  {password} +{name}", printed).group(1)
            console = requests.Session()
            page = console.get(f"http://127.0.0.1:{port}/console/login", timeout=5).text
            token_ = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
            answer = console.post(
                f"http://127.0.0.1:{port}/console/login",
                data={"phone": phone, "password": password, "csrf_token": token_},
                timeout=10,
            )
            assert answer.status_code == 200 and answer.url.endswith("/console/"), name
        engine = create_engine(db_url)

        def receipts_sent():
            with engine.connect() as conn:
                return (
                    conn.execute(
                        text(
                            "SELECT count(*) FROM messages"
                            " WHERE kind = 'receipt' AND status = 'sent'"
                        )
                    ).scalar()
                    == 3
                )

        wait_until(receipts_sent, 30, "the worker to send the three demo receipts")
        engine.dispose()
    finally:
        os.killpg(demo.pid, signal.SIGTERM)
        demo.wait(timeout=20)
        log.close()


def test_embedded_redis_is_a_real_server_shared_by_later_processes(tmp_path):
    url = embedded.redis_url(tmp_path)
    client = redis.Redis.from_url(url)
    assert client.ping()
    client.set("k", "v")
    # A second process (``sanduku dial`` beside ``sanduku demo``) joins it, and its exit
    # leaves the server running.
    joined = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, pathlib; from ops import embedded;"
            " print(embedded.redis_url(pathlib.Path(sys.argv[1])))",
            str(tmp_path),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert joined.stdout.strip() == url
    assert redis.Redis.from_url(url).get("k") == b"v"
    embedded._server.shutdown()


def readme_dials() -> list[tuple[str, str, list[tuple[str, str]]]]:
    """The README's ``$ sanduku dial PHONE --inputs "..."`` transcripts: (phone, inputs,
    [(what was typed, the screen shown)])."""
    text_ = (ROOT / "README.md").read_text()
    found = []
    for block in re.findall(r"```\n(\$ sanduku dial .*?)```", text_, re.S):
        head, *rest = block.split("\n", 1)
        phone, inputs = re.fullmatch(r'\$ sanduku dial (\S+) --inputs "([^"]*)"', head).groups()
        steps = []
        for chunk in rest[0].split("-" * 24 + "\n"):
            if chunk.strip():
                typed, screen = chunk.split("\n", 1)
                steps.append((typed.removeprefix("> "), screen.rstrip("\n")))
        found.append((phone, inputs, steps))
    return found


def same_screen(shown: str, written: str) -> bool:
    """Equal but for what changes from run to run: dates, times, receipt numbers, the random
    code a screen shows."""

    def norm(s: str) -> str:
        s = re.sub(r"R\d{6}-[A-Z0-9]{5}", "R<receipt>", s)
        s = re.sub(r"\d{2}/\d{2}/\d{4}", "<date>", s)
        s = re.sub(r"\d{2}:\d{2}", "<time>", s)
        return re.sub(r"(?<!\d)\d{6}(?!\d)", "<code>", s)

    return norm(shown) == norm(written)


def test_the_readme_dials_work_on_the_demo_as_written(session, client):
    """Each dial of the README, in order, on a freshly seeded demo (in this process): the
    same screens, but for dates, times, receipt numbers and random codes."""
    from ussd.dial import Phone, client_transport

    demo_data.seed(session)
    demo_data.issue_codes(session)
    session.commit()
    dials = readme_dials()
    assert len(dials) >= 3
    for phone, inputs, steps in dials:
        handset = Phone(client_transport(client), phone)
        typed, written = steps[0]
        assert typed == "*384*1#" and same_screen(handset.dial(), written), (phone, written)
        assert [t for t, _ in steps[1:]] == inputs.split("*")
        for typed, written in steps[1:]:
            shown = handset.reply(typed)
            assert same_screen(shown, written), (phone, typed, shown, written)
