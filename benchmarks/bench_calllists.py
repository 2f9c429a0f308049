"""Benchmark of a call list's "next person" under load (not a test: prints a table).

Builds a fresh database with the real migrations (SQLite in a temporary file, and PostgreSQL in a
throwaway cluster started with tests/support/pgcluster.py), adds 10,000 members of one association and a
call list over all of them (so 10,000 targets), then lets 20 callers work at once: each asks for the next
person (`queue.next_target` and the commit, what the "Nästa person" button does in the database) and
records "no answer" for them, round after round. Next to it, in the same run and the same threads, a
plain ``SELECT id FROM call_targets WHERE call_list_id = ? LIMIT 1`` is timed as the floor. Prints p50,
p95 and max in milliseconds. Goal: p95 under 50 ms on PostgreSQL on a 2-core machine. Usage::

    python benchmarks/bench_calllists.py                    # both backends, 10,000 targets, 20 callers
    python benchmarks/bench_calllists.py --backend sqlite --targets 2000 --rounds 10
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _app(url: str):
    from flask_migrate import upgrade

    from survey import create_app
    from survey.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "TESTING": True,
                      "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
                      })
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        db.engine.dispose()
    return app


def _seed(app, targets: int, callers: int) -> tuple[int, list[int]]:
    import sqlalchemy as sa

    from outreach.calllists import services
    from survey.accounts import services as accounts
    from survey.extensions import db
    from survey.models import Member, Organisation, OrganisationKind, Role, utcnow

    with app.app_context():
        org = Organisation(slug="timra", name="Timrå", kind=OrganisationKind.ASSOCIATION)
        db.session.add(org)
        db.session.flush()
        db.session.execute(sa.insert(Member), [
            {"member_number": f"B{i:06d}", "first_name": f"Förnamn{i}", "last_name": "Efternamn",
             "phone": f"+4670{i:07d}", "association_id": org.id} for i in range(targets)])
        users = [accounts.create_user(f"caller{i}@bench.example", Role.CALLER, [], "a long password")[0]
                 for i in range(callers)]
        call_list = services.save_list(services.ListInput(title="Bänk", associations=[org]), None, utcnow())
        for user in users:
            services.add_caller(call_list, user)
        db.session.commit()
        ids = call_list.id, [u.id for u in users]
    if url_is_postgres(app):
        # What autovacuum does soon after a bulk load; without it the planner guesses from an empty table.
        with app.app_context(), db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text("ANALYZE"))
    return ids


def url_is_postgres(app) -> bool:
    return app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql")


WARMUP = 2


def _caller(url: str, instance: str, list_id: int, user_id: int, rounds: int, think: float, barrier,
            results) -> None:
    """One caller in its own process, as a phone's requests land on their own server worker: Python's
    GIL in one process would otherwise be what is measured."""
    import os
    import random

    import sqlalchemy as sa

    os.environ["KRAFTKARTAN_INSTANCE_PATH"] = instance
    from outreach.calllists import queue, services
    from survey import create_app
    from survey.extensions import db
    from survey.models import CallList, User, utcnow

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "TESTING": True})
    nexts, plains = [], []
    with app.app_context():
        user = db.session.get(User, user_id)
        call_list = db.session.get(CallList, list_id)
        db.session.commit()
        barrier.wait(timeout=120)
        rng = random.Random(user_id)
        time.sleep(rng.uniform(0, think))  # callers do not all press the button in the same millisecond
        for i in range(WARMUP + rounds):
            if i == WARMUP:  # a server worker that has answered a request or two: SQL compiled, pool filled
                nexts, plains = [], []
            t0 = time.perf_counter()
            db.session.execute(sa.text("SELECT id FROM call_targets WHERE call_list_id = :l LIMIT 1"),
                               {"l": list_id}).scalar()
            db.session.commit()
            plains.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            now = utcnow()
            if queue.refresh(call_list, now):
                db.session.commit()
            target = queue.next_target(call_list, user, now)
            db.session.commit()
            nexts.append(time.perf_counter() - t0)
            if target is not None:
                services.record_outcome(target, user, "no_answer", utcnow())
                db.session.commit()
            time.sleep(rng.uniform(0.5 * think, 1.5 * think))  # the call itself, shortened to `think`
        db.session.remove()
        db.engine.dispose()
    results.put((nexts, plains))


def _run(url: str, instance: str, list_id: int, user_ids: list[int], rounds: int, think: float):
    import multiprocessing

    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(len(user_ids)), ctx.Queue()
    procs = [ctx.Process(target=_caller, args=(url, instance, list_id, u, rounds, think, barrier, results))
             for u in user_ids]
    for p in procs:
        p.start()
    nexts: list[float] = []
    plains: list[float] = []
    for _ in procs:
        n, p = results.get(timeout=600)
        nexts += n
        plains += p
    for p in procs:
        p.join()
    return nexts, plains


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] * 1000


def _row(backend: str, what: str, values: list[float]) -> str:
    return (f"{backend:<11}{what:<28}{len(values):>6}{statistics.median(values) * 1000:>9.1f}"
            f"{_pct(values, 95):>9.1f}{max(values) * 1000:>9.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=("both", "sqlite", "postgresql"), default="both")
    parser.add_argument("--targets", type=int, default=10_000)
    parser.add_argument("--callers", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=25, help="next-person requests per caller")
    parser.add_argument("--think", type=float, default=1.0,
                        help="seconds between a caller's requests (a real call takes minutes; 0: flat out)")
    args = parser.parse_args()
    backends = ("sqlite", "postgresql") if args.backend == "both" else (args.backend,)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        import os

        os.environ["KRAFTKARTAN_INSTANCE_PATH"] = tmp
        for backend in backends:
            cluster = None
            if backend == "sqlite":
                url = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
            else:
                from tests.support.pgcluster import PgCluster, find_pg_bin

                if find_pg_bin() is None:
                    print("PostgreSQL server binaries not found: skipping PostgreSQL", file=sys.stderr)
                    continue
                cluster = PgCluster()
                cluster.start()
                url = cluster.create_database("bench")
            try:
                app = _app(url)
                t0 = time.perf_counter()
                list_id, users = _seed(app, args.targets, args.callers)
                print(f"{backend}: {args.targets} targets seeded in {time.perf_counter() - t0:.1f} s",
                      file=sys.stderr)
                with app.app_context():
                    from survey.extensions import db

                    db.engine.dispose()
                nexts, plains = _run(url, tmp, list_id, users, args.rounds, args.think)
                rows += [_row(backend, "next person (allocate)", nexts),
                         _row(backend, "plain SELECT ... LIMIT 1", plains)]
                with app.app_context():
                    from survey.extensions import db

                    db.engine.dispose()
            finally:
                if cluster is not None:
                    cluster.stop()
    print(f"\n{args.targets} targets, {args.callers} concurrent callers (own processes), "
          f"{args.rounds} requests "
          f"each, {args.think:g} s between requests (ms)")
    print(f"{'backend':<11}{'query':<28}{'n':>6}{'p50':>9}{'p95':>9}{'max':>9}")
    for row in rows:
        print(row)


if __name__ == "__main__":
    main()
