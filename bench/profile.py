"""``python -m bench.profile [--walks N] [--tree]``: where a USSD hop's time goes, in this
process (Flask's test client, the same database and Redis as the benchmarks).

It prints, for each hop of the walk (dial, ``1``, PIN): CPU per hop (``time.process_time``,
this process only: PostgreSQL's and Redis's own CPU is not in it), SQL statements and Redis
round trips per hop (counted, so they hold on a busy machine); then the split of the hop's
CPU by step (Redis, SQL, PIN hash, words, screens, Flask...) from a cProfile run timed by
CPU, not wall clock; ``--tree`` adds pyinstrument's tree (``pip install -e '.[bench]'``).

For the worker, attach py-spy to a running one: ``py-spy record -o worker.svg --pid PID``
(or ``py-spy top --pid PID``) while ``python -m bench --only broadcast`` runs. For counts of
instructions that do not depend on the machine's load, run this under
``valgrind --tool=callgrind --instr-atstart=no`` (see the README).
"""

from __future__ import annotations

import argparse
import cProfile
import math
import pstats
import time
from collections import Counter

from bench import seed
from bench.defaults import SECRET_KEY
from bench.load import WALK, gateway_form
from bench.services import open_services
from ledger import db

#: Steps of a hop, by the code a sample's innermost known frame is in (first match wins).
STEPS = [
    ("Redis (redis-py)", ("/redis/",)),
    ("SQL (SQLAlchemy, psycopg)", ("/sqlalchemy/", "/psycopg/", "/sqlite3/")),
    ("PIN hash", ("ledger/pins.py", "/hmac.py", "/hashlib.py")),
    ("words (babel, catalogs, GSM-7)", ("/babel/", "/locales/", "/gettext.py")),
    ("session state (json, marks)", ("ussd/sessions.py", "/json/")),
    ("books (ledger/)", ("/ledger/",)),
    ("conversation and screens (ussd/)", ("/ussd/",)),
    ("Flask and werkzeug (test client included)", ("/flask/", "/werkzeug/")),
]


def step_of(path: str) -> str | None:
    for name, parts in STEPS:
        if any(part in path for part in parts):
            return name
    return None


def split(stats: dict) -> Counter:
    """CPU seconds by step from cProfile's stats: a function's own time goes to its step;
    the time of one in no step (the standard library: sockets, json, re...) goes to its
    callers' steps, in proportion to what each call cost."""
    memo: dict = {}

    def shares(func, seen: frozenset) -> dict[str, float]:
        if func in memo:
            return memo[func]
        step = step_of(func[0])
        if step is not None:
            found = {step: 1.0}
        else:
            callers = stats[func][4] if func in stats else {}
            weights = {c: v[3] for c, v in callers.items() if c not in seen and c in stats}
            total = sum(weights.values())
            if not total:
                found = {"other": 1.0}
            else:
                found = {}
                for caller, weight in weights.items():
                    for name, part in shares(caller, seen | {func}).items():
                        found[name] = found.get(name, 0.0) + part * weight / total
        memo[func] = found
        return found

    into: Counter = Counter()
    for func, (_cc, _nc, tottime, _ct, _callers) in stats.items():
        for name, part in shares(func, frozenset()).items():
            into[name] += tottime * part
    return into


def _counting(engine):
    from tests.counting import counting  # the test suite's counters, used here too

    return counting(engine)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__)
    parser.add_argument("--walks", type=int, default=300, help="walks to My savings to profile")
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--tree", action="store_true", help="pyinstrument's tree too")
    parser.add_argument("--no-profile", action="store_true", help="CPU and counts only")
    parser.add_argument("--stats", metavar="FILE", help="save cProfile's stats (for pstats)")
    args = parser.parse_args(argv)
    if args.tree:
        try:
            import pyinstrument  # noqa: F401
        except ImportError:
            raise SystemExit("pyinstrument is not installed: pip install -e '.[bench]'") from None

    services = open_services()
    try:
        from wsgi import create_app

        app = create_app(
            {
                "DATABASE_URL": services.database_url,
                "REDIS_URL": services.redis_url,
                "SMS_BACKEND": "console",
                "CALLBACK_TOKEN": None,
                "SECRET_KEY": SECRET_KEY,
            }
        )
        session = db.session()
        coop = seed.cooperative(session)
        groups = seed.groups(session, coop, math.ceil(args.members / 25))
        phones = [
            p for _, p in seed.members(session, args.members, group_list=groups, with_pin=True)
        ]
        seed.positions(session, groups)
        session.commit()
        db.session.remove()
        client = app.test_client()
        cpu_by_hop: Counter = Counter()

        def walk(n: int, timed: bool = False) -> None:
            for text in WALK:
                form = gateway_form(f"profile-{n}", phones[n % len(phones)], text)
                began = time.process_time()
                answer = client.post("/ussd", data=form).get_data(as_text=True)
                if timed:
                    cpu_by_hop[text] += time.process_time() - began
                assert answer.startswith("CON "), answer

        for n in range(50):  # warm-up
            walk(n)
        with _counting(db.engine()) as counts:
            per_hop = []
            for text in WALK:
                queries, trips = counts.queries, counts.redis
                form = gateway_form("profile-count", phones[0], text)
                client.post("/ussd", data=form)
                per_hop.append((text, counts.queries - queries, counts.redis - trips))
        cpu, wall = time.process_time(), time.perf_counter()
        for n in range(args.walks):
            walk(1000 + n, timed=True)
        hops = args.walks * len(WALK)
        print(f"{services.database}; {services.redis}")
        print(
            f"{hops} hops: {(time.process_time() - cpu) / hops * 1000:.2f} ms CPU and "
            f"{(time.perf_counter() - wall) / hops * 1000:.2f} ms wall per hop, on average"
        )
        print("hop (text)   CPU ms  SQL statements  Redis round trips")
        for text, queries, trips in per_hop:
            ms = cpu_by_hop[text] / args.walks * 1000
            print(f"{text!r:12} {ms:6.2f}  {queries:14d}  {trips:17d}")
        if args.no_profile:
            return
        profile = cProfile.Profile(time.process_time)
        profile.enable()
        for n in range(args.walks):
            walk(10_000 + n)
        profile.disable()
        if args.stats:
            profile.dump_stats(args.stats)
        stats = pstats.Stats(profile).stats
        steps = split(stats)
        total = sum(steps.values()) or 1.0
        print("\nstep (cProfile, CPU time of this process)  ms/hop  share")
        print("(the profiler's own overhead inflates every step alike)")
        for name, seconds in steps.most_common():
            print(f"{name:42} {seconds / hops * 1000:6.3f}  {seconds / total:5.0%}")
        if args.tree:
            from pyinstrument import Profiler

            profiler = Profiler(interval=0.0005)
            profiler.start()
            for n in range(args.walks):
                walk(20_000 + n)
            profiler.stop()
            print(profiler.output_text(unicode=False, color=False))
    finally:
        services.close()


if __name__ == "__main__":
    main()
