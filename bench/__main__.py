"""``python -m bench [--quick] [--only NAME,...]``: run the benchmarks with their baselines,
print the table, write the JSON under ``bench/results/``.

Targets are reported, never asserted: the exit status is 1 only when a benchmark could not
run (a crash, a wrong answer), so ``--quick`` in CI fails on breakage, not on a slow machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import sys
import tempfile
import time
import traceback
from pathlib import Path

from bench import broadcast, ledger_scale, receipts, report, ussd_hop
from bench.defaults import FULL, QUICK, SECRET_KEY
from bench.services import open_services

BENCHES = {
    "ussd": ussd_hop,
    "broadcast": broadcast,
    "receipts": receipts,
    "ledger": ledger_scale,
}


def _ancestors() -> set[int]:
    pids, pid = set(), os.getpid()
    while pid > 1:
        pids.add(pid)
        try:
            pid = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            break
    return pids


def busy_neighbours() -> list[str]:
    """Other test or benchmark runs on the machine, said in the results: they skew numbers."""
    mine = _ancestors()
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        if int(cmdline.parent.name) in mine:
            continue
        try:
            line = b" ".join(cmdline.read_bytes().split(b"\0")).decode(errors="replace")
        except OSError:
            continue
        if "python" in line and ("pytest" in line or "-m bench" in line):
            found.append(line[:120])
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, about a minute (CI)")
    parser.add_argument(
        "--only", default=",".join(BENCHES), help="comma-separated: " + ", ".join(BENCHES)
    )
    args = parser.parse_args(argv)
    names = [n.strip() for n in args.only.split(",") if n.strip()]
    unknown = [n for n in names if n not in BENCHES]
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)}")
    mode = "quick" if args.quick else "full"
    sizes = QUICK if args.quick else FULL
    started = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    work = Path(tempfile.mkdtemp(prefix="sanduku-bench-logs-"))
    neighbours = busy_neighbours()

    services = open_services()
    from wsgi import create_app

    create_app(
        {
            "DATABASE_URL": services.database_url,
            "REDIS_URL": services.redis_url,
            "SMS_BACKEND": "console",
            "CALLBACK_TOKEN": None,
            "SECRET_KEY": SECRET_KEY,
        }
    )
    logging.getLogger().setLevel(logging.WARNING)  # the app's INFO lines are not results
    print(f"sanduku bench ({mode}): {services.database}; {services.redis}", flush=True)
    if neighbours:
        print(f"note: {len(neighbours)} other test/bench processes running: numbers will be lower")
    rows: list[report.Row] = []
    details: dict = {"logs": str(work), "other_processes_at_start": neighbours, "seconds": {}}
    failed = []
    try:
        for name in names:
            began = time.monotonic()
            print(f"- {name} ...", flush=True)
            try:
                bench_rows, bench_details = BENCHES[name].run(services, sizes, work)
            except Exception:
                traceback.print_exc()
                failed.append(name)
                details[name] = {"error": traceback.format_exc()}
                continue
            finally:
                details["seconds"][name] = round(time.monotonic() - began, 1)
            rows += bench_rows
            details[name] = bench_details
    finally:
        services.close()

    described = {"database": services.database, "redis": services.redis}
    print()
    print(report.table(rows))
    path = report.write(mode, described, rows, details, started)
    print(f"\nresults: {path}\nlogs: {work}")
    if failed:
        print(f"FAILED: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
