"""All of Kraftkartan's benchmarks in one command, one table (issue 12).

Runs each benchmark script as its own process (so one's memory, threads or crash cannot touch another's
numbers), reads the table it prints, and prints one combined table: benchmark | measure | value |
baseline | ratio | goal. The baseline is what each script measures beside itself in the same run (the
hello app, pandas.read_csv, the greedy fill, plain WeasyPrint, a plain SELECT), so a busy machine slows
both. A benchmark that fails gets a FAILED row and the others still run. Usage::

    python benchmarks/run.py                    # quick sizes (a few minutes)
    python benchmarks/run.py --full             # the sizes the issues name
    python benchmarks/run.py --only web,import --duration 5
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
NAMES = ("web", "import", "matching", "printing", "calllists")
# Arguments per benchmark: quick (the default, minutes in all) and --full (the issues' sizes).
QUICK = {
    "import": ["--rows", "10000"],
    "matching": ["--sizes", "200x50", "--milp-limit", "10"],
    "printing": ["--members", "600", "--letters", "100"],
    "calllists": ["--targets", "1000", "--callers", "5", "--rounds", "5", "--think", "0.2"],
}
# --full: each script's own defaults (the issues' sizes), except what is named here.
FULL = {"matching": ["--sizes", "1500x300,6000x1200,30000x10000"]}
COLUMNS = ("benchmark", "measure", "value", "baseline", "ratio", "goal")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--full", action="store_true", help="the issues' sizes instead of quick ones")
    parser.add_argument("--duration", type=float, help="seconds per web run (default 5, or 10 with --full)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers for the web benchmark")
    parser.add_argument("--only", help=f"comma list of benchmarks to run, from {','.join(NAMES)}")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds before a benchmark is stopped")
    args = parser.parse_args(argv)
    args.only = NAMES if not args.only else tuple(n.strip() for n in args.only.split(","))
    unknown = [n for n in args.only if n not in NAMES]
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)}")
    if args.duration is None:
        args.duration = 10.0 if args.full else 5.0
    return args


def command(name: str, args: argparse.Namespace, json_path: Path) -> list[str]:
    """The script and its arguments for one benchmark."""
    argv = [sys.executable, str(HERE / f"bench_{name}.py")]
    if name == "web":
        return argv + [
            "--duration",
            f"{args.duration:g}",
            "--workers",
            str(args.workers),
            "--json",
            str(json_path),
        ]
    return argv + FULL.get(name, []) if args.full else argv + QUICK[name]


def _f(text: str) -> float:
    return float(text)


def _row(
    bench: str, measure: str, value: str, baseline: str = "", ratio: float | None = None, goal: str = ""
):
    return {
        "benchmark": bench,
        "measure": measure,
        "value": value,
        "baseline": baseline,
        "ratio": "" if ratio is None else f"{ratio:.3f}",
        "goal": goal,
    }


def rows_web(data: dict) -> list[dict]:
    """bench_web's --json: requests/s against the hello ceiling measured just before (each backend has
    its own), submission p99 and what was lost. The hello rows themselves are shown as baselines only."""
    rows = []
    hello = {r["group"]: r["rps"] for r in data["rows"] if r["page"] == "hello"}
    for r in data["rows"]:
        if r["page"] == "hello":
            continue
        base = f"hello {hello[r['group']]:.0f} req/s" if r["group"] in hello else ""
        goal = ">= 0.2" if r["page"] == "GET skills" else ""
        measure = f"{r['backend']} {r['page']} req/s"
        rows.append(_row("web", measure, f"{r['rps']:.1f}", base, r["ratio"] if base else None, goal))
        if r["page"] == "POST skills":
            rows.append(
                _row(
                    "web",
                    f"{r['backend']} POST p99 ms",
                    f"{r['p99']:.1f}",
                    "goal 200 ms",
                    r["p99"] / 200,
                    "< 200 ms",
                )
            )
            rows.append(
                _row("web", f"{r['backend']} POST errors/lost", f"{r['errors']}/{r['lost']}", "", None, "0/0")
            )
    rows += [_row("web", "FAILED", failure) for failure in data.get("failures", [])]
    return rows


def rows_import(out: str) -> list[dict]:
    """bench_import: each import against pandas.read_csv of the same file."""
    rows = []
    for line in out.splitlines():
        label = line[:16].strip()
        if label in ("first import", "same file again"):
            n, read_s, import_s, _cpu, ratio = line[16:].split()[:5]
            goal = "<= 15 s at 100,000 rows" if label == "first import" else ""
            rows.append(
                _row("import", f"{label} s ({n} rows)", import_s, f"read_csv {read_s} s", _f(ratio), goal)
            )
    return rows


def rows_matching(out: str) -> list[dict]:
    """bench_matching: the exact engine and the generic MILP against the greedy fill, wall seconds; the
    engine's proof and peak memory (its own process, input included) at national scale."""
    rows = []
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 6 and "x" in parts[0] and parts[2] in ("engine", "greedy", "milp"):
            size, _pairs, method, wall, _cpu, ratio = parts[:6]
            if method == "greedy" or (method == "milp" and "not run" in line):
                continue
            national = size == "30000x10000" and method == "engine"
            greedy = _f(wall) / _f(ratio) if _f(ratio) else 0.0
            rows.append(
                _row("matching", f"{size} {method} wall s", wall, f"greedy {greedy:.2f} s", _f(ratio),
                     "<= 60 s, optimal" if national else "")
            )
            if method == "engine":
                note = dict(p.split("=", 1) for p in parts[7:] if "=" in p and not p.startswith("methods"))
                rows.append(_row("matching", f"{size} engine proven optimal", note.get("optimal", "?")))
                if "peak_rss" in note:
                    peak = note["peak_rss"].removesuffix("MiB")
                    base = f"input alone {note.get('input_rss', '?')}"
                    goal = "<= 1 GB" if national else ""
                    rows.append(_row("matching", f"{size} engine peak RSS MiB", peak, base, None, goal))
    return rows


def rows_printing(out: str) -> list[dict]:
    """bench_printing: our PDFs against plain WeasyPrint on the same HTML, CPU seconds."""
    rows = []
    for line in out.splitlines():
        label = line[:12].strip()
        if label in ("letters", "letters PNG", "task list"):
            people, _pages, ours_s, ours_cpu, _plain_s, plain_cpu, ratio = line[12:].split()[:7]
            goal = "<= 10 s wall at 1,000" if label.startswith("letters") else ""
            rows.append(
                _row(
                    "printing",
                    f"{label} cpu s ({people}; wall {ours_s} s)",
                    ours_cpu,
                    f"plain {plain_cpu} s",
                    _f(ratio),
                    goal,
                )
            )
    return rows


def rows_calllists(out: str) -> list[dict]:
    """bench_calllists: "next person" p95 against a plain SELECT in the same threads, milliseconds."""
    found: dict[tuple[str, str], str] = {}
    for line in out.splitlines():
        parts = line[39:].split()
        if len(parts) == 4 and line[:11].strip() in ("sqlite", "postgresql"):
            found[line[:11].strip(), line[11:39].strip()] = parts[2]
    rows = []
    for backend in ("sqlite", "postgresql"):
        nxt, plain = (
            found.get((backend, "next person (allocate)")),
            found.get((backend, "plain SELECT ... LIMIT 1")),
        )
        if nxt is not None and plain is not None:
            goal = "< 50 ms at 10,000 x 20" if backend == "postgresql" else ""
            rows.append(
                _row(
                    "calllists",
                    f"{backend} next person p95 ms",
                    nxt,
                    f"SELECT {plain} ms",
                    _f(nxt) / _f(plain) if _f(plain) else None,
                    goal,
                )
            )
    return rows


PARSERS = {
    "import": rows_import,
    "matching": rows_matching,
    "printing": rows_printing,
    "calllists": rows_calllists,
}


def run_one(name: str, args: argparse.Namespace, tmp: Path) -> list[dict]:
    """One benchmark's rows, or one FAILED row saying why (the run goes on either way)."""
    json_path = tmp / f"{name}.json"
    start = time.perf_counter()
    try:
        done = subprocess.run(
            command(name, args, json_path),
            capture_output=True,
            text=True,
            timeout=args.timeout,
            cwd=HERE.parent,
        )
    except subprocess.TimeoutExpired:
        return [_row(name, "FAILED", f"stopped after {args.timeout:g} s")]
    print(f"{name}: {time.perf_counter() - start:.0f} s, exit {done.returncode}", file=sys.stderr)
    try:
        rows = rows_web(json.loads(json_path.read_text())) if name == "web" else PARSERS[name](done.stdout)
    except (OSError, ValueError, KeyError, IndexError) as exc:
        rows = [] if done.returncode else [_row(name, "FAILED", f"unreadable output ({type(exc).__name__})")]
    if done.returncode != 0 and not any(r["measure"] == "FAILED" for r in rows):
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        rows.append(_row(name, "FAILED", f"exit {done.returncode}: {last[:120]}"))
    return rows or [_row(name, "FAILED", "no result rows in its output")]


def format_table(rows: list[dict]) -> str:
    """Aligned columns; a FAILED row's reason runs on in one piece and does not widen the columns."""
    measured = [r for r in rows if r["measure"] != "FAILED"]
    table = [COLUMNS, *([r[c] for c in COLUMNS] for r in measured)]
    widths = [max(len(line[i]) for line in table) for i in range(len(COLUMNS))]
    right = {"value", "ratio"}
    lines = {id(r): line for r, line in zip([None, *measured], table, strict=True)}
    out = []
    for r in [None, *rows]:
        if r is not None and r["measure"] == "FAILED":
            out.append(f"{r['benchmark'].ljust(widths[0])}  FAILED: {r['value']}")
            continue
        cells = lines[id(r)]
        out.append(
            "  ".join(
                cell.rjust(w) if COLUMNS[i] in right else cell.ljust(w)
                for i, (cell, w) in enumerate(zip(cells, widths, strict=True))
            ).rstrip()
        )
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory(prefix="kk-bench-run-") as tmp:
        for name in args.only:
            print(f"running {name} ...", file=sys.stderr, flush=True)
            rows += run_one(name, args, Path(tmp))
    print(
        f"{'full' if args.full else 'quick'} sizes; load average {os.getloadavg()[0]:.1f} on "
        f"{os.cpu_count()} CPUs (a shared machine makes every number noisy; the ratios less so)"
    )
    print(format_table(rows))
    return 1 if any(r["measure"] == "FAILED" for r in rows) else 0


if __name__ == "__main__":
    raise SystemExit(main())
