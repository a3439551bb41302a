"""The USSD load driver: gateway-like HTTP requests over raw asyncio sockets, one connection
per request (a gunicorn sync worker closes each), no HTTP library in the hot path.

Two shapes of load:
- closed loop: ``connections`` callers each send a hop as soon as the previous one answered
  (saturation throughput; the latencies it sees are queueing, reported only beside it);
- open loop: sessions start at random (Poisson) at ``rate / hops`` a second, and each waits a
  human think time between screens; a hop's latency counts from when it was *due*, so a
  stalled server or driver cannot hide its delay (no coordinated omission).
"""

from __future__ import annotations

import asyncio
import random
import time
import urllib.parse
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from bench.defaults import HTTP_TIMEOUT, PIN
from bench.stats import percentiles

#: A member's walk to the PIN-verified "My savings" screen: dial, 1, PIN.
WALK = ("", "1", f"1*{PIN}")


@dataclass
class Tally:
    ok: int = 0
    errors: int = 0
    latencies: list[float] = field(default_factory=list)
    by_hop: dict[str, list[float]] = field(default_factory=dict)
    samples: dict[str, str] = field(default_factory=dict)  # a first wrong answer, for the log

    def add(self, latency: float, good: bool, what: str, hop: str = "") -> None:
        if good:
            self.ok += 1
            self.latencies.append(latency)
            self.by_hop.setdefault(hop, []).append(latency)
        else:
            self.errors += 1
            self.samples.setdefault(what[:60], what)


def request_bytes(host: str, port: int, path: str, form: dict[str, str]) -> bytes:
    body = urllib.parse.urlencode(form).encode()
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    )
    return head.encode() + body


async def post(host: str, port: int, payload: bytes) -> tuple[int, str]:
    """Send one request on a new connection; (status, body), status 0 when it failed."""
    try:
        async with asyncio.timeout(HTTP_TIMEOUT):
            reader, writer = await asyncio.open_connection(host, port)
            try:
                writer.write(payload)
                raw = await reader.read()
            finally:
                writer.close()
    except (OSError, TimeoutError) as exc:
        return 0, type(exc).__name__
    head, _, body = raw.partition(b"\r\n\r\n")
    try:
        status = int(head.split(b" ", 2)[1])
    except (IndexError, ValueError):
        return 0, "unreadable answer"
    return status, body.decode("utf-8", "replace")


def gateway_form(session_id: str, phone: str, text: str) -> dict[str, str]:
    return {
        "sessionId": session_id,
        "serviceCode": "*384*1#",
        "phoneNumber": phone,
        "networkCode": "63902",
        "text": text,
    }


def good_answer(status: int, body: str, text: str) -> bool:
    """Every hop of the walk continues the session (an ``END`` here is a failure), and the
    last one shows the savings screen (a wrong PIN would stay on the PIN screen)."""
    ok = status == 200 and body.startswith("CON ")
    return ok and ("Groupe" in body if text == WALK[-1] else True)


@dataclass
class Window:
    """What happened while counting: hops, and the CPU the parts of the machine used."""

    seconds: float
    tally: Tally
    cpu: dict[str, float]

    @property
    def throughput(self) -> float:
        return self.tally.ok / self.seconds

    def summary(self) -> dict:
        pct = percentiles(self.tally.latencies, (50, 95, 99))
        return {
            "hops": self.tally.ok,
            "errors": self.tally.errors,
            "hops_per_s": round(self.throughput, 1),
            "p50_ms": round(pct[50] * 1000, 2),
            "p95_ms": round(pct[95] * 1000, 2),
            "p99_ms": round(pct[99] * 1000, 2),
            "per_hop_ms": {
                repr(hop): {
                    f"p{q}": round(v * 1000, 2)
                    for q, v in percentiles(values, (50, 95, 99)).items()
                }
                for hop, values in self.tally.by_hop.items()
            },
            "cpu": {k: round(v, 3) for k, v in self.cpu.items()},
            "wrong_answers": list(self.tally.samples.values())[:3],
        }


CpuProbe = Callable[[], dict[str, float]]


async def closed_loop(
    host: str,
    port: int,
    phones: Sequence[str],
    connections: int,
    warmup: float,
    seconds: float,
    probe: CpuProbe,
    seed: int = 1,
) -> Window:
    rng = random.Random(seed)
    tally = Tally()
    start = time.monotonic()
    counting, end = start + warmup, start + warmup + seconds
    marks: dict[str, dict] = {}

    async def caller(n: int) -> None:
        session = 0
        while time.monotonic() < end:
            session += 1
            session_id, phone = f"sat-{seed}-{n}-{session}", rng.choice(phones)
            for text in WALK:
                sent = time.monotonic()
                status, body = await post(
                    host,
                    port,
                    request_bytes(host, port, "/ussd", gateway_form(session_id, phone, text)),
                )
                done = time.monotonic()
                if counting <= done < end:
                    tally.add(
                        done - sent, good_answer(status, body, text), f"{status} {body}", text
                    )
                if done >= end or not good_answer(status, body, text):
                    break

    async def marker() -> None:
        await asyncio.sleep(max(0.0, counting - time.monotonic()))
        marks["start"] = probe()
        await asyncio.sleep(max(0.0, end - time.monotonic()))
        marks["end"] = probe()

    await asyncio.gather(marker(), *(caller(n) for n in range(connections)))
    cpu = {k: marks["end"][k] - marks["start"][k] for k in marks["start"]}
    return Window(seconds, tally, cpu)


async def open_loop(
    host: str,
    port: int,
    phones: Sequence[str],
    rate: float,
    warmup: float,
    seconds: float,
    think: tuple[float, float],
    probe: CpuProbe,
    seed: int = 2,
) -> tuple[Window, float]:
    """Returns the window and the rate actually offered in it (hops due per second)."""
    rng = random.Random(seed)
    tally = Tally()
    start = time.monotonic()
    counting, end = start + warmup, start + warmup + seconds
    due_in_window = 0
    marks: dict[str, dict] = {}
    tasks: set[asyncio.Task] = set()

    async def session(n: int, due: float) -> None:
        nonlocal due_in_window
        session_id, phone = f"open-{seed}-{n}", rng.choice(phones)
        for text in WALK:
            if due >= end:
                return
            await asyncio.sleep(max(0.0, due - time.monotonic()))
            status, body = await post(
                host,
                port,
                request_bytes(host, port, "/ussd", gateway_form(session_id, phone, text)),
            )
            done = time.monotonic()
            if counting <= due < end:
                due_in_window += 1
                tally.add(done - due, good_answer(status, body, text), f"{status} {body}", text)
            if not good_answer(status, body, text):
                return
            due = done + rng.uniform(*think)

    async def marker() -> None:
        await asyncio.sleep(max(0.0, counting - time.monotonic()))
        marks["start"] = probe()
        await asyncio.sleep(max(0.0, end - time.monotonic()))
        marks["end"] = probe()

    mark_task = asyncio.create_task(marker())
    arrival, n = start, 0
    while arrival < end:
        await asyncio.sleep(max(0.0, arrival - time.monotonic()))
        n += 1
        task = asyncio.create_task(session(n, arrival))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
        arrival += rng.expovariate(rate / len(WALK))
    await mark_task
    if tasks:
        await asyncio.gather(*tasks)
    cpu = {k: marks["end"][k] - marks["start"][k] for k in marks["start"]}
    return Window(seconds, tally, cpu), due_in_window / seconds
