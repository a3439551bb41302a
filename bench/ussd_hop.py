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


def run(services: Services, sizes: Sizes, work: Path) -> tuple[list[Row], dict]:
    services.reset()
    session = db.session()
    coop = seed.cooperative(session)
    groups = seed.groups(session, coop, math.ceil(sizes.ussd_members / 25))
    members = seed.members(session, sizes.ussd_members, group_list=groups, with_pin=True)
    seed.positions(session, groups)
    session.commit()
    db.session.remove()
    services.settle()
    phones = [number for _, number in members]

    env = app_env(services.database_url, services.redis_url)
    sanduku = Gunicorn("wsgi:app", env, work / "gunicorn-sanduku.log")
    toy = Gunicorn("bench.toy:app", env, work / "gunicorn-toy.log")
    details: dict = {"members": len(phones), "gunicorn_workers": sanduku.workers}
    try:
        sanduku.ready()
        toy.ready()
        details["example_savings_screen"] = _check_walk(sanduku, phones[0])
        details["walk"] = list(load.WALK)

        saturation = {}
        for name, server in (("toy", toy), ("sanduku", sanduku)):
            window = asyncio.run(
                load.closed_loop(
                    "127.0.0.1",
                    server.port,
                    phones,
                    sizes.ussd_connections,
                    sizes.ussd_warmup,
                    sizes.ussd_seconds,
                    _probe(server, services),
                )
            )
            saturation[name] = window
            details[f"saturation_{name}"] = window.summary() | _cpu_view(window)
        details["wrk_toy_hops_per_s"] = (
            _wrk(toy, sizes.ussd_seconds, sizes.ussd_connections, work) if sizes.wrk_check else None
        )

        # Well below saturation: the rate, or half of what sanduku sustained.
        rate = min(sizes.ussd_rate, saturation["sanduku"].throughput / 2)
        details["offered_rate"] = rate
        latency = {}
        for name, server in (("toy", toy), ("sanduku", sanduku)):
            window, offered = asyncio.run(
                load.open_loop(
                    "127.0.0.1",
                    server.port,
                    phones,
                    rate,
                    sizes.ussd_open_warmup,
                    sizes.ussd_open_seconds,
                    sizes.think,
                    _probe(server, services),
                )
            )
            latency[name] = window
            details[f"open_loop_{name}"] = (
                window.summary() | _cpu_view(window) | {"offered_hops_per_s": round(offered, 1)}
            )
        details["sanduku_worker_rss_mb"] = [
            round(memory_mb(pid)["rss"], 1) for pid in sanduku.worker_pids()
        ]
    finally:
        sanduku.stop()
        toy.stop()

    sat, lat = saturation, latency
    sat_s, toy_driver = sat["sanduku"].throughput, sat["toy"].throughput
    toy_wrk = details["wrk_toy_hops_per_s"] or 0.0
    # The toy's best figure is the baseline: where wrk (C) got more out of it than the Python
    # driver, the driver was sharing the machine's CPU with the toy's server.
    sat_t = max(toy_driver, toy_wrk)
    details["toy_baseline_hops_per_s"] = sat_t
    errors = sat["sanduku"].tally.errors + lat["sanduku"].tally.errors
    closed = sat["sanduku"].summary()
    cpu_s, cpu_t = details["saturation_sanduku"], details["saturation_toy"]
    rows = [
        Row(
            "ussd",
            "saturation, 100 connections",
            sat_s,
            "hops/s",
            baseline=sat_t,
            ratio=sat_s / sat_t if sat_t else math.nan,
            target="ussd.saturation_ratio",
            note=(
                f"toy {toy_driver:,.0f} hops/s with the Python driver"
                + (
                    f", {toy_wrk:,.0f} with wrk"
                    if toy_wrk
                    else (" (wrk not installed)" if sizes.wrk_check else " (wrk: full run only)")
                )
                + f"; the driver used {cpu_t['driver_core_share']:.0%} of a core on the toy, "
                f"{cpu_s['driver_core_share']:.0%} on sanduku; CPU per hop: gunicorn "
                f"{cpu_s['server_cpu_ms_per_hop']:.2f} ms, PostgreSQL "
                f"{cpu_s['postgres_cpu_ms_per_hop']:.2f} ms, Redis "
                f"{cpu_s['redis_cpu_ms_per_hop']:.2f} ms, whole machine "
                f"{cpu_s['machine_cpu_ms_per_hop']:.2f} ms (toy: gunicorn "
                f"{cpu_t['server_cpu_ms_per_hop']:.2f} ms, machine "
                f"{cpu_t['machine_cpu_ms_per_hop']:.2f} ms); "
                f"closed-loop latency at saturation p50 {closed['p50_ms']:.0f} ms, p99 "
                f"{closed['p99_ms']:.0f} ms (queueing)"
                + (f"; {errors} failed hops" if errors else "")
            ),
        ),
    ]
    hops = lat["sanduku"].summary()["per_hop_ms"]
    by_hop = "; ".join(f"{hop}: p99 {v['p99']:.0f} ms" for hop, v in hops.items())
    for q in (50, 95, 99):
        s_ms = lat["sanduku"].summary()[f"p{q}_ms"]
        t_ms = lat["toy"].summary()[f"p{q}_ms"]
        rows.append(
            Row(
                "ussd",
                f"latency p{q} at {rate:.0f} hops/s",
                s_ms,
                "ms",
                baseline=t_ms,
                ratio=s_ms / t_ms if t_ms else math.nan,
                target="ussd.p99_ms" if q == 99 else None,
                note=f"open loop, think time {sizes.think[0]:g}-{sizes.think[1]:g} s; by hop "
                f"(text sent) {by_hop}"
                if q == 99
                else "",
            )
        )
    return rows, details
