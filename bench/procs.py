"""The real processes a benchmark runs (gunicorn, ``python worker.py``) and what they cost:
CPU seconds and resident memory read from ``/proc`` (Linux)."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from bench.defaults import GUNICORN_BACKLOG, SECRET_KEY

ROOT = Path(__file__).resolve().parents[1]
TICK = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of one process (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK


def memory_mb(pid: int) -> dict[str, float]:
    """Current (VmRSS) and peak (VmHWM) resident memory, MB."""
    found = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                found[key] = int(value.split()[0]) / 1024
    except OSError:
        pass
    return {"rss": found.get("VmRSS", 0.0), "peak": found.get("VmHWM", 0.0)}


def children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _cmdlines():
    for path in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            yield (
                int(path.parent.name),
                path.read_bytes().replace(b"\0", b" ").decode(errors="replace"),
            )
        except OSError:
            continue


def postgres_backends(database: str) -> list[int]:
    """PostgreSQL's server processes for connections to ``database`` (their titles name it)."""
    return [
        pid
        for pid, line in _cmdlines()
        if line.startswith("postgres: ") and f" {database} " in line
    ]


def redis_servers(port: int) -> list[int]:
    return [pid for pid, line in _cmdlines() if "redis-server" in line and f":{port}" in line]


def machine_busy() -> tuple[float, float]:
    """(busy, total) jiffies of the whole machine since boot (``/proc/stat``)."""
    parts = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = parts[3] + parts[4]
    return sum(parts) - idle, sum(parts)


def wait_http(url: str, timeout: float, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process exited ({proc.returncode}) before {url} answered")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{url} did not answer within {timeout} s")
        time.sleep(0.1)


class Process:
    """A child in its own process group, stopped with SIGTERM then SIGKILL."""

    def __init__(self, argv: list[str], env: dict[str, str], log: Path):
        self.log = log
        self._log = log.open("w")
        self.proc = subprocess.Popen(
            argv,
            cwd=ROOT,
            env={**os.environ, "PYTHONUNBUFFERED": "1", **env},
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    @property
    def pid(self) -> int:
        return self.proc.pid

    def stop(self, timeout: float = 20) -> int | None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)
        self._log.close()
        return self.proc.returncode


def app_env(database_url: str, redis_url: str, **extra: str) -> dict[str, str]:
    """The contract's variables for the web process and workers."""
    env = {
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "SMS_BACKEND": "console",
        "CALLBACK_TOKEN": "",
        "SECRET_KEY": SECRET_KEY,
    }
    env.update(extra)
    return env


class Gunicorn(Process):
    """``gunicorn APP`` on a free port, in the benchmarks' one configuration."""

    def __init__(self, app: str, env: dict[str, str], log: Path, workers: int | None = None):
        self.workers = workers or 2 * (os.cpu_count() or 1) + 1
        self.port = free_port()
        super().__init__(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--workers",
                str(self.workers),
                "--worker-class",
                "sync",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--backlog",
                str(GUNICORN_BACKLOG),
                "--timeout",
                "60",
                "--log-level",
                "warning",
                app,
            ],
            env,
            log,
        )

    def url(self, path: str = "") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def ready(self, timeout: float = 60) -> Gunicorn:
        wait_http(self.url("/healthz"), timeout, self.proc)
        deadline = time.monotonic() + timeout
        while len(self.worker_pids()) < self.workers:
            if time.monotonic() > deadline:
                raise RuntimeError("gunicorn workers did not all start")
            time.sleep(0.05)
        return self

    def worker_pids(self) -> list[int]:
        return children(self.pid)

    def cpu(self) -> float:
        return sum(cpu_seconds(pid) for pid in [self.pid, *self.worker_pids()])


class Worker(Process):
    """``python worker.py``."""

    def __init__(self, env: dict[str, str], log: Path):
        super().__init__([sys.executable, "worker.py"], env, log)

    def peak_mb(self) -> dict[str, float]:
        """Peak RSS of the worker (where jobs run) and of RQ's scheduler, its child."""
        kids = children(self.pid)
        return {
            "worker": memory_mb(self.pid)["peak"],
            "scheduler": max((memory_mb(k)["peak"] for k in kids), default=0.0),
        }
