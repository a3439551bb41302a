"""2. Price broadcast: a coordinator posts the day's price to a cooperative of ``N`` members
in three languages; the real worker process (``python worker.py``) hands every SMS to the
local fake Africa's Talking server (``tests/fake_gateway.py``).

Baseline: one RQ job per SMS, one recipient per gateway request, on a sample. It is the same
worker and outbox with ``SMS_BATCH_SIZE=1`` (so the relay enqueues one job per row): a
``SimpleWorker`` with everything preloaded, the fastest way to run one job per SMS (the
default forking worker is ~10x slower again, see DOMAIN.md). Its rate is extrapolated to
``N`` and said so.
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

import redis
from rq import Worker as RQWorker
from sqlalchemy import func, select

from bench import seed
from bench.defaults import Sizes
from bench.procs import Worker, app_env, cpu_seconds
from bench.report import Row
from bench.services import Services
from ledger import db, gold
from ledger.models import Message, MessageStatus
from tests.fake_gateway import FakeGateway

#: The relay's lock key: present once a worker's periodic relay has run (the worker is up).
RELAY_KEY = "sanduku:periodic:relay"


def worker_env(services: Services, fake: FakeGateway, **tuning: str) -> dict[str, str]:
    return app_env(
        services.database_url,
        services.redis_url,
        SMS_BACKEND="africastalking",
        AT_USERNAME="sanduku",
        AT_API_KEY="bench-key",
        AT_API_URL=fake.url,
        # A real gateway needs a callback token, or the worker's start check refuses it.
        CALLBACK_TOKEN="sanduku-bench-callback-token",
        **tuning,
    )


def wait_for(predicate, timeout: float, what: str, every: float = 0.05):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(every)


def worker_ready(services: Services, worker: Worker, timeout: float = 60) -> None:
    client = redis.Redis.from_url(services.redis_url)

    def up() -> bool:
        if worker.proc.poll() is not None:
            raise RuntimeError(f"worker exited ({worker.proc.returncode}); see {worker.log}")
        return bool(client.exists(RELAY_KEY))

    wait_for(up, timeout, "the worker to start")


def handed(fake: FakeGateway) -> int:
    """Recipients the fake gateway has taken so far (it runs in this process)."""
    return sum(len(r.answers) for r in fake.requests)


def one_broadcast(
    services: Services, members: int, work: Path, name: str, workers: int = 1, **tuning: str
) -> dict:
    """One price broadcast to ``members``, sent by ``workers`` worker processes on the same
    queue (two: as on two machines); every recipient checked to be handed over once."""
    services.reset()
    session = db.session()
    coop = seed.cooperative(session)
    seed.members(session, members, coop=coop)
    session.commit()
    services.settle()
    fake = FakeGateway().start()
    env = worker_env(services, fake, **tuning)
    running = [Worker(env, work / f"worker-{name}-{n}.log") for n in range(workers)]
    try:
        for worker in running:
            worker_ready(services, worker)
        listening = redis.Redis.from_url(services.redis_url)
        wait_for(lambda: RQWorker.count(connection=listening) >= workers, 60, "the workers")
        cpu_before = sum(cpu_seconds(w.pid) for w in running)
        began = time.monotonic()
        post = gold.post_price(session, coop, usd_per_gram=95_50, cdf_per_gram=270_000_00)
        session.commit()  # the broadcast commits with the post; the commit kicks the relay
        posted = time.monotonic()
        with fake.changed:
            fake.changed.wait_for(lambda: handed(fake) >= members, timeout=max(120, members / 20))
        if handed(fake) < members:
            raise RuntimeError(f"{name}: {handed(fake)} of {members} handed over in time")
        last = max(r.at for r in fake.requests)
        worker_cpu = sum(cpu_seconds(w.pid) for w in running) - cpu_before
        wait_for(
            lambda: _count(post.id, MessageStatus.SENT) == members, 120, f"{name}: rows marked sent"
        )
        recorded = time.monotonic()
        peaks = [w.peak_mb() for w in running]
        peak = {key: max(p[key] for p in peaks) for key in ("worker", "scheduler")}
        accepted = fake.accepted()
    finally:
        for worker in running:
            worker.stop()
        fake.stop()
        db.session.remove()
    copies = Counter(accepted.values())
    if len(accepted) != members or set(copies) != {1}:
        raise RuntimeError(f"{name}: recipients handed over {dict(copies)} times, not once each")
    seconds = last - posted
    return {
        "members": members,
        "workers": workers,
        "texts": len({r.message for r in fake.requests}),
        "gateway_requests": len(fake.requests),
        "largest_request": max(len(r.recipients) for r in fake.requests),
        "post_seconds": round(posted - began, 4),
        "handover_seconds": round(seconds, 3),
        "recorded_seconds": round(recorded - posted, 3),
        "recipients_per_s": round(members / seconds, 1),
        "worker_cpu_seconds": round(worker_cpu, 2),
        "worker_peak_rss_mb": round(peak["worker"], 1),
        "scheduler_peak_rss_mb": round(peak["scheduler"], 1),
        "tuning": tuning,
    }


def _count(post_id: int, status: MessageStatus) -> int:
    with db.engine().connect() as conn:
        return conn.execute(
            select(func.count())
            .select_from(Message)
            .where(Message.cause == f"price:{post_id}", Message.status == status)
        ).scalar_one()


def run(services: Services, sizes: Sizes, work: Path) -> tuple[list[Row], dict]:
    baseline = one_broadcast(
        services, sizes.baseline_sample, work, "one-job-per-sms", SMS_BATCH_SIZE="1"
    )
    ours = one_broadcast(services, sizes.broadcast_members, work, "batched")
    two = one_broadcast(services, sizes.broadcast_members, work, "two-workers", workers=2)
    n = sizes.broadcast_members
    base_rate = baseline["recipients_per_s"]
    baseline["extrapolated_seconds_for_n"] = round(n / base_rate, 1)
    sample = f"baseline measured on {baseline['members']:,} recipients, extrapolated to {n:,}"
    rows = [
        Row(
            "broadcast",
            f"recipients handed over, {n:,} members",
            ours["recipients_per_s"],
            "recipients/s",
            baseline=base_rate,
            ratio=ours["recipients_per_s"] / base_rate,
            target="broadcast.recipients_per_s",
            note=sample,
        ),
        Row(
            "broadcast",
            f"the same, two worker processes on the queue, {n:,} members",
            two["recipients_per_s"],
            "recipients/s",
            baseline=ours["recipients_per_s"],
            ratio=two["recipients_per_s"] / ours["recipients_per_s"],
            target="broadcast.recipients_per_s",
            note="baseline: one worker; each recipient checked to be handed over exactly once",
        ),
        Row(
            "broadcast",
            "speed-up over one RQ job per SMS",
            ours["recipients_per_s"] / base_rate,
            "x",
            ratio=ours["recipients_per_s"] / base_rate,
            target="broadcast.ratio",
        ),
        Row(
            "broadcast",
            "wall time, price commit to last hand-over",
            ours["handover_seconds"],
            "s",
            baseline=baseline["extrapolated_seconds_for_n"],
            ratio=ours["handover_seconds"] / baseline["extrapolated_seconds_for_n"],
        ),
        Row(
            "broadcast",
            f"price post and its commit, {n:,} members",
            ours["post_seconds"] * 1000,
            "ms",
            target="broadcast.post_ms",
            note="what POST /api/v1/prices waits for (in process, without HTTP): the post and "
            "its broadcast recorded; the worker writes the outbox rows",
        ),
        Row(
            "broadcast",
            "worker peak RSS",
            ours["worker_peak_rss_mb"],
            "MB",
            baseline=baseline["worker_peak_rss_mb"],
            target="broadcast.worker_peak_rss_mb",
        ),
    ]
    return rows, {"batched": ours, "two_workers": two, "one_job_per_sms": baseline}
