"""4. Ledger scale: a member's statement (``statement.member_statement``, what the savings screen
and the API's statement read) with a journal of 1,000 lines, then of 1,000,000.

Fifty members in two groups share the journal, so each member's own history grows with it
(20 lines each at 1k, 20,000 at 1M): the strict case. The journal is generated server-side
(two lines per share purchase), balances brought up to date, then ``VACUUM ANALYZE`` as
autovacuum would in production. Beside it, the design it replaces: a balance summed from the
member's journal lines, timed the same way.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
import time
from pathlib import Path

from sqlalchemy import select, text

from bench import seed
from bench.defaults import Sizes
from bench.report import Row
from bench.services import Services
from ledger import db
from ledger.models import Member
from ledger.statement import member_statement

#: Members sharing the generated journal (two savings groups of 25).
MEMBERS = 50

_NAIVE = text(
    "SELECT coalesce(sum(l.amount), 0) FROM lines l JOIN accounts a ON a.id = l.account_id"
    " WHERE a.member_id = :member AND a.kind = 'savings'"
)


def _analyze() -> None:
    engine = db.engine()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("VACUUM ANALYZE entries, lines, accounts"))
        else:
            conn.execute(text("ANALYZE"))


def _time(member_ids: list[int], lookups: int, naive: bool) -> dict:
    """Median and p95 of one lookup (ms), each in a fresh session (no identity-map help)."""
    took = []
    for i in range(lookups + 20):  # the first 20 warm the caches and are not counted
        db.session.remove()
        session = db.session()
        member_id = member_ids[i % len(member_ids)]
        member = session.get(Member, member_id)
        started = time.perf_counter()
        if naive:
            session.execute(_NAIVE, {"member": member_id}).scalar_one()
        else:
            statement = member_statement(session, member, dt.date.today())
            if len(statement["recent"]) != 10:
                raise RuntimeError("the statement did not read ten recent entries")
        if i >= 20:
            took.append(time.perf_counter() - started)
        session.rollback()
    db.session.remove()
    took.sort()
    return {
        "median_ms": round(statistics.median(took) * 1000, 3),
        "p95_ms": round(took[int(len(took) * 0.95) - 1] * 1000, 3),
    }


def run(services: Services, sizes: Sizes, work: Path) -> tuple[list[Row], dict]:
    services.reset()
    session = db.session()
    groups = seed.groups(session, None, MEMBERS // 25)
    seed.members(session, MEMBERS, group_list=groups)
    seed.journal_accounts(session, groups)
    session.commit()
    member_ids = list(session.scalars(select(Member.id).order_by(Member.id)))
    db.session.remove()  # no transaction left open (SQLite locks while one is)

    measured = {}
    for size in (sizes.ledger_small, sizes.ledger_large):
        began = time.monotonic()
        lines = seed.grow_journal(db.session(), size)
        db.session.remove()
        _analyze()
        generated = time.monotonic() - began
        measured[size] = {
            "lines": lines,
            "generate_seconds": round(generated, 1),
            "statement": _time(member_ids, sizes.ledger_lookups, naive=False),
            "journal_sum": _time(member_ids, sizes.ledger_lookups, naive=True),
        }
        db.session.remove()

    small, large = measured[sizes.ledger_small], measured[sizes.ledger_large]

    def ratio(kind: str) -> float:
        low = small[kind]["median_ms"]
        return large[kind]["median_ms"] / low if low else math.nan

    label = f"{large['lines']:,} vs {small['lines']:,} lines"
    rows = [
        Row(
            "ledger",
            f"statement median, {label}",
            large["statement"]["median_ms"],
            "ms",
            baseline=small["statement"]["median_ms"],
            ratio=ratio("statement"),
            target="ledger.ratio",
            note=f"baseline column: the same lookup at {small['lines']:,} lines",
        ),
        Row(
            "ledger",
            f"balance summed from the journal, {label}",
            large["journal_sum"]["median_ms"],
            "ms",
            baseline=small["journal_sum"]["median_ms"],
            ratio=ratio("journal_sum"),
            note="the design maintained balances replace, for comparison",
        ),
    ]
    return rows, {"members": MEMBERS, "sizes": measured}
