"""Benchmark of the member's survey under load, served by gunicorn (not a test: prints a table).

Issue 12: the heaviest page of the default survey (the skills page, 17 rows) as GET, and its full
submission as POST (CSRF included), under 50 concurrent clients (wrk), with gunicorn on this machine, on
SQLite and on PostgreSQL; beside them, with the same gunicorn settings, a bare Flask "hello"
(benchmarks/hello_app.py), the ceiling, measured just before each backend's runs. Goals: the skills page
at least 0.2x the ceiling's requests/s; submissions p99 under 200 ms with nothing lost (every POST
answered with a redirect, and every link's stored answers are the ones it posted). Usage::

    python benchmarks/bench_web.py                          # both backends, 10 s per run, 2 workers
    python benchmarks/bench_web.py --backend sqlite --duration 5 --workers 4
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import web_instance  # noqa: E402

HERE = Path(__file__).resolve().parent
RESULT_KEYS = (
    "requests",
    "duration_us",
    "p50_us",
    "p95_us",
    "p99_us",
    "max_us",
    "connect",
    "read",
    "write",
    "status",
    "timeout",
    "not_redirected",
)
COLUMNS = ("server", "backend", "page", "req/s", "p50 ms", "p95 ms", "p99 ms", "ratio", "errors", "lost")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=("both", "sqlite", "postgresql"), default="both")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds of load per measured run")
    parser.add_argument("--connections", type=int, default=50, help="concurrent clients (wrk connections)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (KRAFTKARTAN_WORKERS)")
    parser.add_argument("--members", type=int, default=60, help="members, each with a personal link")
    parser.add_argument("--json", type=Path, help="also write the rows to this file (for run.py)")
    parser.add_argument("--pg-tcp", action="store_true",
                        help="reach PostgreSQL over TCP (127.0.0.1) instead of its unix socket")
    args = parser.parse_args(argv)
    if args.duration <= 0 or args.connections < 1 or args.workers < 1 or args.members < 1:
        parser.error("--duration, --connections, --workers and --members must be positive")
    args.threads = max(1, min(args.threads, args.connections))
    return args


def parse_wrk(output: str) -> dict[str, int]:
    """The numbers of wrk_report.lua's KK_RESULT line."""
    line = next((ln for ln in output.splitlines() if ln.startswith("KK_RESULT ")), None)
    if line is None:
        raise ValueError(f"no KK_RESULT line in wrk's output: {output[-500:]!r}")
    values = dict(part.split("=", 1) for part in line.split()[1:])
    return {key: int(values[key]) for key in RESULT_KEYS}


def measure(result: dict[str, int], server: str, backend: str, page: str, redirect: bool = False) -> dict:
    """One table row from wrk's numbers (times in ms). Errors: sockets, timeouts, and statuses >= 400 or,
    where a redirect is the only right answer (a saved page), anything but a 3xx."""
    seconds = result["duration_us"] / 1e6
    errors = sum(result[k] for k in ("connect", "read", "write", "timeout"))
    errors += result["not_redirected"] if redirect else result["status"]
    return {
        "server": server,
        "backend": backend,
        "page": page,
        "rps": result["requests"] / seconds if seconds else 0.0,
        "requests": result["requests"],
        "p50": result["p50_us"] / 1000,
        "p95": result["p95_us"] / 1000,
        "p99": result["p99_us"] / 1000,
        "errors": errors,
        "lost": None,
        "ratio": None,
        "group": backend.strip("()"),
    }


def add_ratios(rows: list[dict]) -> None:
    """Each row's requests/s against the hello row measured just before it, for the same backend's runs:
    the ceiling under the same load from the neighbours."""
    hello = {r["group"]: r["rps"] for r in rows if r["page"] == "hello"}
    for row in rows:
        ceiling = hello.get(row["group"])
        row["ratio"] = row["rps"] / ceiling if ceiling else None


def format_table(rows: list[dict]) -> str:
    def cells(r: dict) -> tuple:
        ratio = "-" if r["ratio"] is None else f"{r['ratio']:.3f}"
        lost = "-" if r["lost"] is None else str(r["lost"])
        return (
            r["server"],
            r["backend"],
            r["page"],
            f"{r['rps']:.1f}",
            f"{r['p50']:.1f}",
            f"{r['p95']:.1f}",
            f"{r['p99']:.1f}",
            ratio,
            str(r["errors"]),
            lost,
        )

    table = [COLUMNS, *(cells(r) for r in rows)]
    widths = [max(len(line[i]) for line in table) for i in range(len(COLUMNS))]
    return "\n".join(
        "  ".join(
            c.ljust(w) if i < 3 else c.rjust(w) for i, (c, w) in enumerate(zip(line, widths, strict=True))
        )
        for line in table
    )


def request_lines(requests: list[tuple[str, str, str, str]]) -> str:
    """The KK_REQUESTS file: method, path, Cookie header, body, tab-separated, one request a line."""
    for request in requests:
        if any("\t" in part or "\n" in part for part in request):
            raise ValueError("a request part holds a tab or a newline")
    return "".join("\t".join(r) + "\n" for r in requests)


def wrk(
    base: str,
    requests: list[tuple[str, str, str, str]],
    args,
    duration: float,
    tmp: Path,
    redirect: bool = False,
) -> dict:
    """Run wrk against `base`, rotating over `requests`; return the parsed KK_RESULT numbers."""
    listing = tmp / "requests.tsv"
    listing.write_text(request_lines(requests), encoding="utf-8")
    argv = [
        shutil.which("wrk") or "wrk",
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{max(1, round(duration))}s",
        "--latency",
        "--timeout",
        "10s",
        "-s",
        str(HERE / "wrk_report.lua"),
        base,
    ]
    env = {"KK_REQUESTS": str(listing), "KK_THREADS": str(args.threads), "PATH": "/usr/bin:/bin"}
    if redirect:
        env["KK_EXPECT_REDIRECT"] = "1"
    done = subprocess.run(argv, capture_output=True, text=True, check=True, env=env)
    return parse_wrk(done.stdout)


def links_to_post(warmup_requests: int, duration: float, links: int) -> int:
    """How many links the measured POST run rotates over: as many as it will post about twice each
    (judged from the one-second warm-up), so that every one of them is reached and `lost` means lost."""
    return max(1, min(links, int(warmup_requests * duration / 2)))


def bench_backend(backend: str, args, tmp: Path, hello) -> list[dict]:
    """The hello, GET and POST rows for one backend, each after a one-second unmeasured warm-up."""
    cluster = None
    url = None
    if backend == "postgresql":
        from tests.support.pgcluster import PgCluster, find_pg_bin

        if find_pg_bin() is None:
            raise RuntimeError("PostgreSQL server binaries not found")
        cluster = PgCluster()
        cluster.start()
        url = cluster.create_database("bench_web")
        if not args.pg_tcp:  # the app on the database's machine talks to it over the unix socket
            url = cluster.socket_url("bench_web") or url
    server = None
    try:
        env = web_instance.instance_env(tmp / backend, url)
        web_instance.upgrade(env)
        instance = web_instance.seed(env, args.members)
        server = web_instance.Gunicorn(env, args.workers, probe=instance.page_path(instance.tokens[0]))
        label = f"gunicorn {args.workers}w"

        def run(requests, seconds: float, redirect: bool = False, on=None) -> dict:
            target = on or server
            result = wrk(target.base, requests, args, seconds, tmp, redirect)
            target.drain()
            return result

        run([("GET", "/", "", "")], 1, on=hello)
        hello_row = measure(
            run([("GET", "/", "", "")], args.duration, on=hello), label, f"({backend})", "hello"
        )
        gets = [("GET", instance.page_path(t), "", "") for t in instance.tokens]
        run(gets, 1)
        get_row = measure(run(gets, args.duration), label, backend, "GET skills")
        sessions = web_instance.prime_sessions(instance, server.base)
        warm = run(web_instance.post_requests(instance, sessions, shift=1), 1, redirect=True)
        count = links_to_post(warm["requests"], args.duration, len(sessions))
        posts = web_instance.post_requests(instance, sessions[:count], remember=True)
        post_row = measure(run(posts, args.duration, redirect=True), label, backend, "POST skills", True)
        post_row["links"] = count
        server.stop()
        server = None
        post_row["lost"] = web_instance.lost_answers(instance)
        return [hello_row, get_row, post_row]
    finally:
        if server is not None:
            server.stop()
        if cluster is not None:
            cluster.stop()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if shutil.which("wrk") is None:
        print("wrk is not installed: apt-get install wrk", file=sys.stderr)
        return 2
    backends = ("sqlite", "postgresql") if args.backend == "both" else (args.backend,)
    rows, failures = [], []
    with tempfile.TemporaryDirectory(prefix="kk-bench-web-") as tmp_name:
        tmp = Path(tmp_name)
        hello = web_instance.Gunicorn(
            web_instance.instance_env(tmp / "hello", None), args.workers, app="hello_app:app"
        )
        try:
            for backend in backends:
                try:
                    rows += bench_backend(backend, args, tmp, hello)
                except Exception as exc:  # one backend failing must not hide the other's numbers
                    failures.append(f"{backend}: {type(exc).__name__}: {exc}")
        finally:
            hello.stop()
    add_ratios(rows)
    print(
        f"{args.connections} connections, {args.threads} wrk threads, {args.duration:g} s per run, "
        f"{args.members} personal links; load average {os.getloadavg()[0]:.1f} on "
        f"{os.cpu_count()} CPUs"
    )
    print(format_table(rows))
    print(
        "(ratio: req/s / req/s of the hello measured just before, the '(backend)' row above; "
        "errors: socket errors, timeouts, statuses >= 400, "
        "and for POST any answer but a redirect; "
        "lost: of the links posted to, those whose stored skills differ from what they posted)"
    )
    for row in rows:
        if row.get("links"):
            print(f"{row['backend']} POST rotated over {row['links']} links, {row['requests']} requests")
    for failure in failures:
        print(f"FAILED {failure}")
    if args.json:
        args.json.write_text(json.dumps({"rows": rows, "failures": failures}, indent=1), encoding="utf-8")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
