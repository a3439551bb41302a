"""1. USSD hop: members walk to the PIN-verified "My savings" screen over HTTP under
gunicorn, against the toy handler (``bench.toy``) in the same gunicorn configuration.

(a) saturation throughput with ``connections`` closed-loop callers; (b) latency at a fixed
open-loop offered load well below saturation, with human think time between hops.
"""

from __future__ import annotations

import asyncio
import math
import re
import shutil
import subprocess
import time
import urllib.parse
from pathlib import Path

from bench import load, seed
from bench.defaults import PIN, Sizes
from bench.procs import (
    TICK,
    Gunicorn,
    app_env,
    cpu_seconds,
    machine_busy,
    memory_mb,
    postgres_backends,
    redis_servers,
)
from bench.report import Row
from bench.services import Services
from ledger import db
from ussd.dial import Phone, http_transport


def _probe(server: Gunicorn, services: Services):
    """CPU seconds so far of the driver (this process), gunicorn, this database's PostgreSQL
    backends, the Redis server (shared: other users count too) and the whole machine."""

    def probe() -> dict[str, float]:
        busy, total = machine_busy()
        backends = postgres_backends(services.database_name) if services.database_name else []
        redis = redis_servers(services.redis_port) if services.redis_port else []
        return {
            "driver": time.process_time(),
            "server": server.cpu(),
            "postgres": sum(cpu_seconds(pid) for pid in backends),
            "redis": sum(cpu_seconds(pid) for pid in redis),
            "machine_busy": busy / TICK,
            "machine_total": total / TICK,
        }

    return probe


def _cpu_view(window: load.Window) -> dict:
    """CPU per hop of the server and the driver, and how busy the whole machine was."""
    cpu, hops = window.cpu, max(window.tally.ok, 1)
    busy = cpu["machine_busy"] / cpu["machine_total"] if cpu["machine_total"] else math.nan
    return {
        "server_cpu_ms_per_hop": round(cpu["server"] / hops * 1000, 3),
        "postgres_cpu_ms_per_hop": round(cpu["postgres"] / hops * 1000, 3),
        "redis_cpu_ms_per_hop": round(cpu["redis"] / hops * 1000, 3),
        "machine_cpu_ms_per_hop": round(cpu["machine_busy"] / hops * 1000, 3),
        "driver_cpu_ms_per_hop": round(cpu["driver"] / hops * 1000, 3),
        "driver_core_share": round(cpu["driver"] / window.seconds, 2),
        "machine_busy_share": round(busy, 2),
    }


def _check_walk(server: Gunicorn, phone: str) -> str:
    """One walk by hand before any load: the third screen must be the member's savings."""
    caller = Phone(http_transport(server.url("/ussd")), phone)
    screens = [caller.dial(), caller.reply("1"), caller.reply(PIN)]
    if not all(s.startswith("CON ") for s in screens) or "Groupe" not in screens[-1]:
        raise RuntimeError(f"the walk did not reach the savings screen: {screens!r}")
    return screens[-1]


def _wrk(server: Gunicorn, seconds: float, connections: int, work: Path) -> float | None:
    """The toy's saturation measured by wrk, when it is installed: the Python driver's
    ceiling, checked by a driver written in C."""
    if not shutil.which("wrk"):
        return None
    form = urllib.parse.urlencode(load.gateway_form("wrk", "+243810000001", ""))
    script = work / "wrk-post.lua"
    script.write_text(
        'wrk.method = "POST"\n'
        f'wrk.body = "{form}"\n'
        'wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"\n'
    )
    out = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{max(1, int(seconds))}s",
            "-s",
            str(script),
            server.url("/ussd"),
        ],
        capture_output=True,
        text=True,
        timeout=seconds + 30,
    ).stdout
    found = re.search(r"Requests/sec:\s*([\d.]+)", out)
    return float(found.group(1)) if found else None


#: The three handlers, in the order of the first round (later rounds alternate it).
SERVERS = (("toy", "bench.toy:app"), ("lean", "bench.lean:app"), ("sanduku", "wsgi:app"))


def merged(windows: list[load.Window]) -> load.Window:
    """Rounds of one server added up: hops, latencies and CPU over all their seconds."""
    tally = load.Tally()
    for w in windows:
        tally.ok += w.tally.ok
        tally.errors += w.tally.errors
        tally.latencies += w.tally.latencies
        for hop, values in w.tally.by_hop.items():
            tally.by_hop.setdefault(hop, []).extend(values)
        for what, sample in w.tally.samples.items():
            tally.samples.setdefault(what, sample)
    cpu = {k: sum(w.cpu[k] for w in windows) for k in windows[0].cpu}
    return load.Window(sum(w.seconds for w in windows), tally, cpu)


def order(round_: int) -> list[str]:
    """Alternating rounds: forward, then backward, so drift in the machine's load (other
    users, autovacuum, caches warming) falls on every handler alike."""
    names = [name for name, _app in SERVERS]
    return names if round_ % 2 == 0 else names[::-1]


def _seed(services: Services, sizes: Sizes) -> list[str]:
    services.reset()
    session = db.session()
    coop = seed.cooperative(session)
    groups = seed.groups(session, coop, math.ceil(sizes.ussd_members / 25))
    members = seed.members(session, sizes.ussd_members, group_list=groups, with_pin=True)
    seed.positions(session, groups)
    session.commit()
    db.session.remove()
    services.settle()
    return [number for _, number in members]


def measure(services: Services, sizes: Sizes, work: Path) -> tuple[dict, dict, dict]:
    """Saturation and open-loop windows of every handler (rounds alternated), and details."""
    phones = _seed(services, sizes)
    env = app_env(services.database_url, services.redis_url)
    servers = {name: Gunicorn(app, env, work / f"gunicorn-{name}.log") for name, app in SERVERS}
    details: dict = {"members": len(phones), "gunicorn_workers": servers["sanduku"].workers}
    saturation: dict[str, list[load.Window]] = {name: [] for name in servers}
    latency: dict[str, list[load.Window]] = {name: [] for name in servers}
    offered: dict[str, list[float]] = {name: [] for name in servers}
    try:
        for server in servers.values():
            server.ready()
        for name in ("sanduku", "lean"):
            details[f"example_savings_screen_{name}"] = _check_walk(servers[name], phones[0])
        details["walk"] = list(load.WALK)
        seconds = sizes.ussd_seconds / sizes.ussd_rounds
        for round_ in range(sizes.ussd_rounds):
            for name in order(round_):
                server = servers[name]
                saturation[name].append(
                    asyncio.run(
                        load.closed_loop(
                            "127.0.0.1",
                            server.port,
                            phones,
                            sizes.ussd_connections,
                            sizes.ussd_warmup,
                            seconds,
                            _probe(server, services),
                            seed=1 + round_,
                        )
                    )
                )
        details["wrk_toy_hops_per_s"] = (
            _wrk(servers["toy"], sizes.ussd_seconds, sizes.ussd_connections, work)
            if sizes.wrk_check
            else None
        )
        # The fixed offered load, whatever the saturation: a miss shows as a tail.
        open_seconds = sizes.ussd_open_seconds / sizes.ussd_rounds
        for round_ in range(sizes.ussd_rounds):
            for name in order(round_):
                server = servers[name]
                window, rate = asyncio.run(
                    load.open_loop(
                        "127.0.0.1",
                        server.port,
                        phones,
                        sizes.ussd_rate,
                        sizes.ussd_open_warmup,
                        open_seconds,
                        sizes.think,
                        _probe(server, services),
                        seed=100 + round_,
                    )
                )
                latency[name].append(window)
                offered[name].append(rate)
        details["sanduku_worker_rss_mb"] = [
            round(memory_mb(pid)["rss"], 1) for pid in servers["sanduku"].worker_pids()
        ]
    finally:
        for server in servers.values():
            server.stop()
    sat = {name: merged(ws) for name, ws in saturation.items()}
    lat = {name: merged(ws) for name, ws in latency.items()}
    details["rounds"] = sizes.ussd_rounds
    details["saturation_by_round"] = {
        name: [round(w.throughput, 1) for w in ws] for name, ws in saturation.items()
    }
    for name in servers:
        details[f"saturation_{name}"] = sat[name].summary() | _cpu_view(sat[name])
        details[f"open_loop_{name}"] = (
            lat[name].summary()
            | _cpu_view(lat[name])
            | {"offered_hops_per_s": round(sum(offered[name]) / len(offered[name]), 1)}
        )
    return sat, lat, details


def _ratio(a: float, b: float) -> float:
    return a / b if b else math.nan


def run(services: Services, sizes: Sizes, work: Path) -> tuple[list[Row], dict]:
    sat, lat, details = measure(services, sizes, work)
    s, lean, toy = (details[f"saturation_{n}"] for n in ("sanduku", "lean", "toy"))
    toy_wrk = details["wrk_toy_hops_per_s"]
    errors = sum(w.tally.errors for w in (sat["sanduku"], lat["sanduku"]))
    rate = sizes.ussd_rate
    rows = [
        Row(
            "ussd",
            "saturation, 100 connections",
            sat["sanduku"].throughput,
            "hops/s",
            baseline=sat["lean"].throughput,
            ratio=_ratio(sat["sanduku"].throughput, sat["lean"].throughput),
            target="ussd.saturation_ratio",
            note=(
                f"baseline: the lean handler (bench/lean.py); {details['rounds']} alternating "
                f"round(s), by round sanduku {details['saturation_by_round']['sanduku']}, lean "
                f"{details['saturation_by_round']['lean']}, toy "
                f"{details['saturation_by_round']['toy']} hops/s"
                + (f" (toy with wrk {toy_wrk:,.0f})" if toy_wrk else "")
                + f"; the driver used {s['driver_core_share']:.0%} of a core on sanduku, "
                f"{lean['driver_core_share']:.0%} on lean, {toy['driver_core_share']:.0%} on "
                f"the toy; closed-loop latency at saturation p50 {s['p50_ms']:.0f} ms, p99 "
                f"{s['p99_ms']:.0f} ms (queueing)" + (f"; {errors} failed hops" if errors else "")
            ),
        ),
        Row(
            "ussd",
            "lean handler's saturation vs the toy's",
            sat["lean"].throughput,
            "hops/s",
            baseline=sat["toy"].throughput,
            ratio=_ratio(sat["lean"].throughput, sat["toy"].throughput),
        ),
        Row(
            "ussd",
            "gunicorn CPU per hop at saturation",
            s["server_cpu_ms_per_hop"],
            "ms",
            baseline=lean["server_cpu_ms_per_hop"],
            ratio=_ratio(s["server_cpu_ms_per_hop"], lean["server_cpu_ms_per_hop"]),
            target="ussd.server_cpu_ms",
            note=(
                f"per hop, sanduku / lean / toy: PostgreSQL {s['postgres_cpu_ms_per_hop']:.2f} / "
                f"{lean['postgres_cpu_ms_per_hop']:.2f} / {toy['postgres_cpu_ms_per_hop']:.2f} "
                f"ms, Redis {s['redis_cpu_ms_per_hop']:.2f} / {lean['redis_cpu_ms_per_hop']:.2f}"
                f" / {toy['redis_cpu_ms_per_hop']:.2f} ms, whole machine "
                f"{s['machine_cpu_ms_per_hop']:.2f} / {lean['machine_cpu_ms_per_hop']:.2f} / "
                f"{toy['machine_cpu_ms_per_hop']:.2f} ms; toy gunicorn "
                f"{toy['server_cpu_ms_per_hop']:.2f} ms"
            ),
        ),
    ]
    open_s = details["open_loop_sanduku"]
    for q in (50, 95, 99):
        s_ms, l_ms = (details[f"open_loop_{n}"][f"p{q}_ms"] for n in ("sanduku", "lean"))
        by_hop = "; ".join(
            f"{hop}: p99 {v['p99']:.0f} ms" for hop, v in open_s["per_hop_ms"].items()
        )
        rows.append(
            Row(
                "ussd",
                f"latency p{q} at {rate:.0f} hops/s",
                s_ms,
                "ms",
                baseline=l_ms,
                ratio=_ratio(s_ms, l_ms),
                target="ussd.p99_ms" if q == 99 else None,
                note=(
                    f"open loop, baseline the lean handler; offered "
                    f"{open_s['offered_hops_per_s']:.0f} hops/s, think time "
                    f"{sizes.think[0]:g}-{sizes.think[1]:g} s; toy p99 "
                    f"{details['open_loop_toy']['p99_ms']:.1f} ms; sanduku by hop (text sent) "
                    f"{by_hop}; gunicorn CPU per hop at this load "
                    f"{open_s['server_cpu_ms_per_hop']:.2f} ms (lean "
                    f"{details['open_loop_lean']['server_cpu_ms_per_hop']:.2f} ms)"
                )
                if q == 99
                else "",
            )
        )
    return rows, details
