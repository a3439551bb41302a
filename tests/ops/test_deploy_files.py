"""``deploy/``: what an operator installs is checked by the tools that will read it — gunicorn's
``--check-config`` (and the configuration serving, its access log without query strings),
``systemd-analyze verify`` and ``nginx -t`` where they are installed."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from tests import services
from tests.waiting import wait_until

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
UNITS = sorted((DEPLOY / "systemd").iterdir())


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def web_env(database_url, redis_url):
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("AT_", "SMS_", "CALLBACK_", "FLASK_"))
    }
    return {
        **env,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "SMS_BACKEND": "console",
        "SECRET_KEY": services.SECRET_KEY,
        "WEB_CONCURRENCY": "1",
    }


def test_gunicorn_check_config(web_env):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--check-config",
            "-c",
            str(DEPLOY / "gunicorn.conf.py"),
            "wsgi:app",
        ],
        cwd=ROOT,
        env=web_env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr


def test_gunicorn_config_serves_and_logs_no_query_string(web_env, tmp_path):
    """The configuration as the unit runs it: the start check in the master, one access line
    per request with the path only (a callback token in the query never reaches the log)."""
    port = _free_port()
    access = tmp_path / "access.log"
    env = {**web_env, "SANDUKU_BIND": f"127.0.0.1:{port}", "SANDUKU_ACCESS_LOG": str(access)}
    log = (tmp_path / "gunicorn.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", str(DEPLOY / "gunicorn.conf.py"), "wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:

        def up() -> bool:
            try:
                return requests.get(f"{url}/healthz", timeout=2).ok
            except requests.ConnectionError:
                assert proc.poll() is None, (tmp_path / "gunicorn.log").read_text()
                return False

        wait_until(up, 60, "gunicorn with deploy/gunicorn.conf.py")
        answer = requests.post(
            f"{url}/ussd?token=a-token-in-the-query",
            data={"sessionId": "s1", "phoneNumber": "+243810000001", "text": ""},
            headers={"X-Real-IP": "196.201.214.7", "Referer": "https://x.example/?token=ref"},
            timeout=10,
        )
        assert answer.status_code == 200
        requests.get(f"{url}/healthz?secret=in-query", timeout=5)
        wait_until(lambda: access.exists() and access.read_text().count("\n") >= 3, 10, "log")
    finally:
        proc.terminate()
        proc.wait(30)
    lines = access.read_text()
    assert '"POST /ussd HTTP/1.1" 200' in lines and "196.201.214.7" in lines
    for secret in ("a-token-in-the-query", "in-query", "token=", "243810000001", "ref"):
        assert secret not in lines


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="no systemd-analyze here")
def test_systemd_units_verify(tmp_path):
    """The units with /opt/sanduku pointed at this checkout (its .venv), so every ExecStart
    names a real executable."""
    env_file = tmp_path / "sanduku.env"
    env_file.write_text((DEPLOY / "sanduku.env.example").read_text())
    for unit in UNITS:
        text = unit.read_text().replace("/opt/sanduku", str(ROOT))
        (tmp_path / unit.name).write_text(text.replace("/etc/sanduku/sanduku.env", str(env_file)))
    result = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *[str(tmp_path / u.name) for u in UNITS]],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "SYSTEMD_LOG_LEVEL": "warning"},
    )
    own = [line for line in result.stderr.splitlines() if str(tmp_path) in line]
    assert result.returncode == 0 and own == [], result.stderr


def test_units_run_what_the_readme_says():
    web = (DEPLOY / "systemd" / "sanduku-web.service").read_text()
    assert "gunicorn -c /opt/sanduku/deploy/gunicorn.conf.py wsgi:app" in web
    worker = (DEPLOY / "systemd" / "sanduku-worker@.service").read_text()
    assert "/opt/sanduku/.venv/bin/python /opt/sanduku/worker.py" in worker
    backup = (DEPLOY / "systemd" / "sanduku-backup.service").read_text()
    assert "sanduku db backup --dir /var/backups/sanduku --keep-days" in backup
    timer = (DEPLOY / "systemd" / "sanduku-backup.timer").read_text()
    assert "OnCalendar=" in timer and "Persistent=true" in timer
    readme = (DEPLOY / "README.md").read_text()
    for name in ("sanduku-web", "sanduku-worker@1", "sanduku-backup.timer", "sanduku db restore"):
        assert name in readme
    assert "deploy/README.md" in (ROOT / "README.md").read_text()


@pytest.mark.skipif(not shutil.which("nginx"), reason="nginx is not installed")
def test_nginx_site(tmp_path):
    """``nginx -t`` on the site inside a minimal main configuration, with a throwaway
    certificate where certbot's would be."""
    cert, key = tmp_path / "fullchain.pem", tmp_path / "privkey.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=sanduku.example.org", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
        timeout=60,
    )  # fmt: skip
    site = (DEPLOY / "nginx" / "sanduku.conf").read_text()
    site = site.replace("/etc/letsencrypt/live/sanduku.example.org/fullchain.pem", str(cert))
    site = site.replace("/etc/letsencrypt/live/sanduku.example.org/privkey.pem", str(key))
    site = site.replace("/var/log/nginx/", f"{tmp_path}/")
    (tmp_path / "sanduku.conf").write_text(site)
    main = tmp_path / "nginx.conf"
    main.write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n  access_log {tmp_path}/access.log;\n  include {tmp_path}/sanduku.conf;\n}}\n"
    )
    result = subprocess.run(
        ["nginx", "-t", "-p", str(tmp_path), "-c", str(main)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr
    # the callbacks are behind an allow list that ends in deny all; /api and /console are not
    assert "location ~ ^/(ussd|sms/delivery|sms/inbound)$ {\n        allow" in site
    assert "deny all;\n        proxy_pass http://sanduku_web;\n    }\n\n    # Coordinators" in site
