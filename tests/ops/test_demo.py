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
        token = re.search(r"Bearer (\S+)'", (tmp_path / "demo.log").read_text()).group(1)
        answer = requests.get(
            f"http://127.0.0.1:{port}/api/v1/members",
            params={"phone": "0810000001"},
            headers={"Authorization": f"Bearer {token}"},
            timeout=5,
        )
        assert answer.status_code == 200
        assert [m["name"] for m in answer.json()["members"]] == ["Furaha Kahindo", "Baraka Kahindo"]
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
