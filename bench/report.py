"""The results: one table on the terminal, everything in a JSON file under ``bench/results/``."""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import platform
from dataclasses import asdict, dataclass
from pathlib import Path

from bench.defaults import TARGETS

RESULTS = Path(__file__).resolve().parent / "results"


@dataclass
class Row:
    bench: str
    measure: str
    value: float
    unit: str
    baseline: float | None = None
    ratio: float | None = None
    #: Key into ``defaults.TARGETS`` when the issue sets a target for this row.
    target: str | None = None
    note: str = ""

    @property
    def target_text(self) -> str:
        if not self.target:
            return ""
        op, value = TARGETS[self.target]
        return f"{op} {value:g}"

    @property
    def met(self) -> bool | None:
        if not self.target:
            return None
        op, goal = TARGETS[self.target]
        value = self.ratio if self.target.endswith("ratio") else self.value
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return False
        return value >= goal if op == ">=" else value <= goal


def _fmt(value: float | None) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return "n/a"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def table(rows: list[Row]) -> str:
    head = ("benchmark", "measure", "sanduku", "baseline", "ratio", "target", "met")
    body = [
        (
            r.bench,
            f"{r.measure} ({r.unit})" if r.unit else r.measure,
            _fmt(r.value),
            _fmt(r.baseline),
            _fmt(r.ratio),
            r.target_text,
            {True: "yes", False: "NO", None: ""}[r.met],
        )
        for r in rows
    ]
    widths = [max(len(str(line[i])) for line in (head, *body)) for i in range(len(head))]

    def line(cells) -> str:
        return "  ".join(
            str(c).ljust(w) if i < 2 else str(c).rjust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        )

    rule = "  ".join("-" * w for w in widths)
    notes = [f"  {r.bench} / {r.measure}: {r.note}" for r in rows if r.note]
    return "\n".join(
        [line(head), rule, *map(line, body), *(["", "notes:", *notes] if notes else [])]
    )


def machine() -> dict:
    cpu = "unknown"
    try:
        for text_line in Path("/proc/cpuinfo").read_text().splitlines():
            if text_line.startswith("model name"):
                cpu = text_line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
    except (OSError, ValueError, IndexError):
        mem_kb = 0
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(mem_kb / 1024 / 1024, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "load_average_at_start": os.getloadavg(),
    }


def write(mode: str, services: dict, rows: list[Row], details: dict, started: dt.datetime) -> Path:
    RESULTS.mkdir(exist_ok=True)
    stamp = started.strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS / f"bench-{stamp}-{mode}.json"
    document = {
        "mode": mode,
        "started_utc": started.isoformat(timespec="seconds") + "Z",
        "finished_utc": dt.datetime.now(dt.UTC).replace(tzinfo=None).isoformat(timespec="seconds")
        + "Z",
        "machine": machine(),
        "services": services,
        "rows": [asdict(r) | {"target": r.target_text, "met": r.met} for r in rows],
        "details": details,
    }
    path.write_text(json.dumps(document, indent=2, default=str))
    return path
