"""Sizes, durations and targets of the benchmarks, one line each on why.

Each size has a full value and a ``--quick`` value: the quick run only shows the machinery
works and the numbers are in the right place (CI); the full run is the one the README quotes.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Sizes:
    #: Members the USSD sessions are drawn from: "thousands of members in sessions".
    ussd_members: int
    #: Concurrent gateway connections for the saturation run (the issue's 100).
    ussd_connections: int
    #: Seconds of closed-loop load before and while throughput is counted.
    ussd_warmup: float
    ussd_seconds: float
    #: Alternating rounds the saturation and open-loop seconds are split into (toy, lean,
    #: sanduku, then backward...), so the machine's drift falls on each handler alike.
    ussd_rounds: int
    #: Offered load of the open-loop run (hops/s): the issue's fixed 200, whatever the
    #: saturation.
    ussd_rate: float
    #: Seconds of open-loop load before and while latencies are recorded; the warm-up is at
    #: least a session's length so the mix of hops is steady when counting starts.
    ussd_open_warmup: float
    ussd_open_seconds: float
    #: Human think time between hops (seconds, uniform): reading a screen, typing a PIN.
    think: tuple[float, float]
    #: Also measure the toy with wrk (when installed), to check the Python driver's ceiling.
    wrk_check: bool
    #: Members of the cooperative the price goes to (three languages).
    broadcast_members: int
    #: Recipients the one-job-per-SMS baseline sends; its rate is extrapolated.
    baseline_sample: int
    #: Purchases per second and seconds of it, for each of the two receipt runs.
    receipt_rate: float
    receipt_seconds: float
    #: Journal sizes compared by the ledger benchmark.
    ledger_small: int
    ledger_large: int
    #: Statement lookups timed at each size.
    ledger_lookups: int


FULL = Sizes(
    ussd_members=5_000,
    ussd_connections=100,
    ussd_warmup=3.0,
    ussd_seconds=20.0,
    ussd_rounds=2,
    ussd_rate=200.0,
    ussd_open_warmup=12.0,
    ussd_open_seconds=30.0,
    think=(2.0, 6.0),
    wrk_check=True,
    broadcast_members=100_000,
    baseline_sample=2_000,
    receipt_rate=5.0,
    receipt_seconds=40.0,
    ledger_small=1_000,
    ledger_large=1_000_000,
    ledger_lookups=400,
)

QUICK = Sizes(
    ussd_members=1_000,
    ussd_connections=100,
    ussd_warmup=1.0,
    ussd_seconds=2.5,
    ussd_rounds=1,
    ussd_rate=200.0,
    ussd_open_warmup=1.5,
    ussd_open_seconds=2.5,
    think=(0.5, 1.5),
    wrk_check=False,
    broadcast_members=10_000,
    baseline_sample=200,
    receipt_rate=5.0,
    receipt_seconds=2.0,
    ledger_small=1_000,
    ledger_large=100_000,
    ledger_lookups=100,
)

#: The issue's targets: (metric key, comparison, value). Reported, never asserted.
TARGETS = {
    "ussd.saturation_ratio": (">=", 0.6),
    "ussd.server_cpu_ms": ("<=", 2.5),
    "ussd.p99_ms": ("<=", 20.0),
    "broadcast.post_ms": ("<=", 200.0),
    "broadcast.recipients_per_s": (">=", 20_000.0),
    "broadcast.ratio": (">=", 50.0),
    "broadcast.worker_peak_rss_mb": ("<=", 200.0),
    "receipts.p95_s": ("<=", 2.0),
    "ledger.ratio": ("<=", 2.0),
}

#: Gunicorn, the same for sanduku, the lean handler and the toy: sync workers (one request
#: each, the way a gateway callback is served), 2 x CPUs + 1 of them (gunicorn's advice), a
#: deep backlog so 100 connections queue in the kernel rather than being refused.
GUNICORN_BACKLOG = 2048

#: A hop that has not answered by then is an error (AT gives an app 15 s).
HTTP_TIMEOUT = 15.0

#: The PIN every benchmark member has; one hash is computed and shared (scrypt per member
#: would take minutes for 100,000 members and measures nothing).
PIN = "2580"
#: The server secret the benchmark's processes share (they hash and verify the same PINs).
SECRET_KEY = "sanduku-bench-secret-key-not-for-production"
