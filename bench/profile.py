"""``python -m bench.profile [--walks N]``: where a USSD hop's time goes, in this process
(Flask's test client, the same database and Redis as the benchmarks), profiled with
pyinstrument (``pip install -e '.[bench]'``).

For the worker, attach py-spy to a running one: ``py-spy record -o worker.svg --pid PID``
(or ``py-spy top --pid PID``) while ``python -m bench --only broadcast`` runs.
"""

from __future__ import annotations

import argparse
import math
import time

from bench import seed
from bench.defaults import PIN, SECRET_KEY
from bench.load import WALK, gateway_form
from bench.services import open_services
from ledger import db


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__)
    parser.add_argument("--walks", type=int, default=300, help="walks to My savings to profile")
    parser.add_argument("--members", type=int, default=1000)
    args = parser.parse_args(argv)
    try:
        from pyinstrument import Profiler
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

        def walk(n: int) -> None:
            for text in WALK:
                form = gateway_form(f"profile-{n}", phones[n % len(phones)], text)
                answer = client.post("/ussd", data=form).get_data(as_text=True)
                assert answer.startswith("CON "), answer

        for n in range(50):  # warm-up
            walk(n)
        cpu, wall = time.process_time(), time.perf_counter()
        for n in range(args.walks):
            walk(1000 + n)
        hops = args.walks * len(WALK)
        print(
            f"{hops} hops: {(time.process_time() - cpu) / hops * 1000:.2f} ms CPU and "
            f"{(time.perf_counter() - wall) / hops * 1000:.2f} ms wall per hop (PIN {PIN})"
        )
        profiler = Profiler(interval=0.0005)
        profiler.start()
        for n in range(args.walks):
            walk(10_000 + n)
        profiler.stop()
        print(profiler.output_text(unicode=False, color=False))
    finally:
        services.close()


if __name__ == "__main__":
    main()
