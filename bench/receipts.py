"""3. Receipt latency: buyers post purchases to the API (gunicorn) at a steady rate while a
worker runs; each receipt's latency runs from the API's answer to the fake gateway
receiving that miner's SMS.

Baseline: the same outbox without the "kick" (a commit asking a worker to relay now), i.e. an
outbox polled every ``SMS_RELAY_INTERVAL``. The kick is held off by keeping its Redis flag set
(``sms.queue.KICK_KEY``), the way a kick already in flight would.
"""

from __future__ import annotations

import http.client
import json
import math
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import redis
from sqlalchemy import update

from api.tokens import create_token
from bench import seed
from bench.broadcast import handed, worker_env, worker_ready
from bench.defaults import HTTP_TIMEOUT, Sizes
from bench.procs import Gunicorn, Worker
from bench.report import Row
from bench.services import Services
from bench.stats import percentiles
from ledger import db, gold
from ledger.models import Member, SiteStatus
from sms import defaults as sms_defaults
from sms.queue import KICK_KEY
from tests.fake_gateway import FakeGateway


def _purchase(port: int, token: str, phone: str) -> tuple[int, float]:
    """POST one purchase; (HTTP status, monotonic time the answer was read)."""
    body = json.dumps(
        {
            "miner": phone,
            "site": "SITE1",
            "weight_grams": "5.250",
            "price_per_gram": "95.50",
            "currency": "USD",
        }
    )
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=HTTP_TIMEOUT)
    try:
        conn.request(
            "POST",
            "/api/v1/purchases",
            body=body,
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        answer = conn.getresponse()
        answer.read()
        return answer.status, time.monotonic()
    finally:
        conn.close()


def _phase(server: Gunicorn, fake: FakeGateway, token: str, phones: list[str], rate: float) -> dict:
    """Open loop: purchase ``i`` is sent at ``start + i / rate`` whatever the others do."""
    before = handed(fake)
    start = time.monotonic() + 0.2
    with ThreadPoolExecutor(max_workers=16) as pool:
        futures = []
        for i, phone in enumerate(phones):
            time.sleep(max(0.0, start + i / rate - time.monotonic()))
            futures.append(pool.submit(_purchase, server.port, token, phone))
        answers = [f.result() for f in futures]
    bad = [status for status, _ in answers if status != 201]
    if bad:
        raise RuntimeError(f"purchases answered {bad[:5]} (see the gunicorn log)")
    with fake.changed:
        fake.changed.wait_for(lambda: handed(fake) >= before + len(phones), timeout=60)
    arrived: dict[str, float] = {}
    for request in fake.requests:
        for phone in request.recipients:
            arrived.setdefault(phone, request.at)
    missing = [p for p in phones if p not in arrived]
    if missing:
        raise RuntimeError(f"{len(missing)} receipts never reached the gateway")
    latencies = [arrived[p] - answered for p, (_, answered) in zip(phones, answers, strict=True)]
    pct = percentiles(latencies, (50, 95))
    return {
        "purchases": len(phones),
        "rate_per_s": rate,
        "p50_s": round(pct[50], 3),
        "p95_s": round(pct[95], 3),
        "max_s": round(max(latencies), 3),
    }


def run(services: Services, sizes: Sizes, work: Path) -> tuple[list[Row], dict]:
    services.reset()
    per_phase = max(1, math.ceil(sizes.receipt_rate * sizes.receipt_seconds))
    session = db.session()
    coop = seed.cooperative(session)
    site = gold.create_site(
        session,
        code="SITE1",
        name="Mine Site1",
        cooperative=coop,
        capacity_mg_per_month=10**12,
        status=SiteStatus.GREEN,
        lat="1.566",
        lon="30.25",
    )
    miners = seed.members(session, 2 * per_phase, coop=coop, roles="member,miner")
    session.execute(update(Member).where(Member.cooperative_id == coop.id).values(site_id=site.id))
    _, token = create_token(session, "bench buyer", "buyer", cooperative=coop)
    session.commit()
    db.session.remove()
    services.settle()
    phones = [number for _, number in miners]

    fake = FakeGateway().start()
    env = worker_env(services, fake)
    server = Gunicorn("wsgi:app", env, work / "gunicorn-receipts.log")
    worker = Worker(env, work / "worker-receipts.log")
    client = redis.Redis.from_url(services.redis_url)
    try:
        server.ready()
        worker_ready(services, worker)
        kicked = _phase(server, fake, token, phones[:per_phase], sizes.receipt_rate)
        client.set(KICK_KEY, 1, ex=3600)  # no kicks: the periodic relay alone
        polled = _phase(server, fake, token, phones[per_phase:], sizes.receipt_rate)
        client.delete(KICK_KEY)
        duplicates = {p: n for p, n in fake.accepted().items() if n != 1}
    finally:
        worker.stop()
        server.stop()
        fake.stop()
    if duplicates:
        raise RuntimeError(f"receipts sent more than once: {len(duplicates)}")
    interval = sms_defaults.SMS_RELAY_INTERVAL
    rows = [
        Row(
            "receipts",
            f"latency p{q} at {sizes.receipt_rate:g} purchases/s",
            kicked[f"p{q}_s"],
            "s",
            baseline=polled[f"p{q}_s"],
            ratio=kicked[f"p{q}_s"] / polled[f"p{q}_s"] if polled[f"p{q}_s"] else math.nan,
            target="receipts.p95_s" if q == 95 else None,
            note=(
                f"baseline: the outbox polled every {interval:g} s, no kick; "
                f"{kicked['purchases']} purchases each"
                if q == 50
                else ""
            ),
        )
        for q in (50, 95)
    ]
    return rows, {"kicked": kicked, "polled_only": polled, "relay_interval_s": interval}
