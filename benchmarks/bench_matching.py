"""Benchmark of the exact matching engine against a greedy fill and a generic MILP.

Generates realistic district instances with a fixed seed (7 associations,
~20% of members travel, evening and weekend availability over 4-8 campaign
weeks, 18 skill names, ~30% of tasks requiring a skill, max_tasks mostly
1-3, tasks of 2-4 h with 1-6 slots, many overlapping) and prints, for each
size, wall-clock time and objective of:

* ``engine``  -- ``outreach.matching.solve`` (exact, proven optimal);
* ``greedy``  -- best-score-first greedy fill (the baseline, ratio 1.0);
* ``milp``    -- one binary per eligible pair, convex spread columns and
  per-member clique rows, solved by HiGHS (``scipy.optimize.milp``) with a
  time limit, in a child process killed if HiGHS overruns it (benchmarks/milp_baseline.py).

All three share the parsing and eligibility step, which is included in each
time.  Usage::

    python benchmarks/bench_matching.py                       # 1500x300 and 6000x1200
    python benchmarks/bench_matching.py --sizes 200x50,1500x300 --milp-limit 60
    python benchmarks/bench_matching.py --sizes 30000x10000 --no-milp

The engine runs in a process of its own (``--engine-child``), so its ``peak_rss`` is the engine's
alone: the generated input (a list of dicts, ~250 MB at 30,000 x 10,000) plus the solve, not the
greedy run or the MILP beside it.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
import tracemalloc
from datetime import date, timedelta
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from milp_baseline import run_milp_bounded  # noqa: E402  (benchmarks/, next to this script)

from outreach.matching import parse_problem, solve  # noqa: E402
from outreach.matching.core import build_core, greedy  # noqa: E402
from outreach.matching.eligibility import build_pairs  # noqa: E402

ASSOCIATIONS = ["Nord", "Syd", "Öst", "Väst", "Centrum", "Hamnen", "Skogen"]
SKILLS = [
    "driving",
    "first_aid",
    "canvassing",
    "phone",
    "social_media",
    "photo",
    "design",
    "writing",
    "translation_ar",
    "translation_so",
    "translation_fa",
    "sign_language",
    "cooking",
    "sound",
    "logistics",
    "childcare",
    "accounting",
    "speaking",
]
TOPICS = ["climate", "housing", "health", "schools", "transport", "jobs", "culture", "elderly"]


def _t(day: date, minutes: int) -> str:
    return f"{day.isoformat()}T{minutes // 60:02d}:{minutes % 60:02d}"


def generate(n_members: int, n_tasks: int, seed: int = 7) -> dict:
    """A district-like problem; same arguments give the same problem."""
    rng = np.random.default_rng(seed + 1000 * n_members + n_tasks)
    weeks = int(min(8, max(4, 4 + n_tasks // 300)))
    first = date(2030, 8, 5)  # a Monday
    days = [first + timedelta(d) for d in range(7 * weeks)]
    members = []
    for i in range(n_members):
        home = ASSOCIATIONS[min(int(rng.geometric(0.25)) - 1, 6)]
        evenings = [d for d in range(5) if rng.random() < 0.35]
        weekend = [d for d in (5, 6) if rng.random() < 0.4]
        avail = []
        for day in days:
            if rng.random() > 0.8:
                continue  # a week day off now and then
            wd = day.weekday()
            if wd in evenings:
                avail.append(
                    [_t(day, int(rng.choice([16, 17, 18])) * 60), _t(day, int(rng.choice([21, 22])) * 60)]
                )
            elif wd in weekend:
                start = int(rng.choice([9, 10, 12])) * 60
                avail.append([_t(day, start), _t(day, start + int(rng.choice([4, 6, 8])) * 60)])
        skills = {
            str(s): int(rng.integers(1, 4))
            for s in rng.choice(SKILLS, int(rng.integers(0, 5)), replace=False)
        }
        members.append(
            {
                "id": f"m{i:05d}",
                "association": home,
                "travels": bool(rng.random() < 0.2),
                "skills": skills,
                "interests": [str(x) for x in rng.choice(TOPICS, int(rng.integers(0, 4)), replace=False)],
                "availability": avail,
                "max_tasks": int(rng.choice([1, 2, 3, 4, 5], p=[0.5, 0.3, 0.15, 0.03, 0.02])),
            }
        )
    tasks = []
    for j in range(n_tasks):
        day = days[int(rng.integers(len(days)))]
        if day.weekday() < 5:
            start = int(rng.choice([17 * 60, 17 * 60 + 30, 18 * 60, 18 * 60 + 30, 19 * 60]))
        else:
            start = int(rng.choice([9, 10, 11, 12, 13, 14])) * 60
        length = int(rng.choice([120, 150, 180, 240]))
        required = (
            [str(s) for s in rng.choice(SKILLS, int(rng.choice([1, 2], p=[0.85, 0.15])), replace=False)]
            if rng.random() < 0.3
            else []
        )
        tasks.append(
            {
                "id": f"t{j:05d}",
                "association": None
                if rng.random() < 0.1
                else ASSOCIATIONS[min(int(rng.geometric(0.25)) - 1, 6)],
                "start": _t(day, start),
                "end": _t(day, start + length),
                "slots": int(rng.choice([1, 2, 3, 4, 5, 6], p=[0.2, 0.3, 0.2, 0.15, 0.1, 0.05])),
                "required_skills": required,
                "preferred_skills": [
                    str(s) for s in rng.choice(SKILLS, int(rng.integers(0, 4)), replace=False)
                ],
                "topic": str(rng.choice(TOPICS)) if rng.random() < 0.7 else None,
                "priority": int(rng.choice([1, 2, 3], p=[0.6, 0.3, 0.1])),
            }
        )
    return {"members": members, "tasks": tasks}


def run_greedy(data: dict) -> float:
    """Best score first, take a pair whenever it is feasible and pays for itself."""
    core = build_core(p := parse_problem(data), build_pairs(p))
    order = np.lexsort((np.arange(core.fs.size), -core.fs))
    return core.value(greedy(core, order)) / 1e6


def engine_child(size: str, seed: int, trace: bool) -> None:
    """``--engine-child``: generate, solve, print one JSON line (wall, CPU, peak RSS, result)."""
    n_members, n_tasks = (int(x) for x in size.lower().split("x"))
    solve(generate(50, 10, seed))  # imports and first-call costs out of the timing, as in the parent
    data = generate(n_members, n_tasks, seed)
    input_rss = _status_mib("VmRSS")
    _reset_peak()  # the peak of generating the input is the generator's, not the engine's
    if trace:
        tracemalloc.start()
    sol, wall, cpu = _timed(solve, data)
    st = sol["stats"]
    out = {
        "wall": wall,
        "cpu": cpu,
        "objective": sol["objective"],
        "optimal": sol["optimal"],
        "methods": st["methods"],
        "lp_rounds": st["lp_rounds"],
        "pairs": st["eligible_pairs"],
        "input_rss": input_rss,
        "peak_rss": _status_mib("VmHWM"),
    }
    if trace:
        out["traced_peak"] = tracemalloc.get_traced_memory()[1] / 2**20
    print(json.dumps(out))


def _reset_peak() -> None:
    """Linux: set VmHWM back to the current RSS (``clear_refs`` 5); elsewhere the peak stays."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass


def _status_mib(field: str) -> float:
    """VmRSS (now) or VmHWM (peak) of this process in MiB. Not ru_maxrss: Linux carries that over
    from the parent across fork and exec, so a child would report the parent's peak."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field} in /proc/self/status")


def run_engine(size: str, seed: int, trace: bool) -> dict:
    argv = [sys.executable, __file__, "--engine-child", size, "--seed", str(seed)]
    argv += ["--memory"] if trace else []
    done = subprocess.run(argv, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _timed(fn, *args):
    """(result, wall seconds, CPU seconds of this process)."""
    w0, c0 = time.perf_counter(), time.process_time()
    out = fn(*args)
    return out, time.perf_counter() - w0, time.process_time() - c0


def _row_printer(size: str, pairs: int, base: float):
    def show(name: str, wall: float, cpu: float, value: str, note: str) -> None:
        print(
            f"{size:>12} {pairs:>9} {name:>7} {wall:>8.2f} {cpu:>8.2f} {wall / base:>6.2f} {value}  {note}",
            flush=True,
        )

    return show


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1500x300,6000x1200", help="comma list of MEMBERSxTASKS")
    parser.add_argument("--milp-limit", type=float, default=120.0, help="time limit of the generic MILP (s)")
    parser.add_argument("--no-milp", action="store_true", help="skip the generic MILP")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--memory", action="store_true", help="also trace peak Python memory of the engine")
    parser.add_argument("--milp-max-pairs", type=int, default=2_000_000,
                        help="skip the generic MILP above this many eligible pairs (it needs GBs)")
    parser.add_argument("--engine-child", metavar="SIZE", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.engine_child:
        engine_child(args.engine_child, args.seed, args.memory)
        return 0
    head = (
        f"{'size':>12} {'pairs':>9} {'method':>7} {'wall s':>8} {'cpu s':>8} {'ratio':>6} {'objective':>14}"
    )
    print(head + "  note")
    warm = generate(50, 10, args.seed)  # first-call costs (imports, caches) out of the timings
    run_greedy(warm)  # (the MILP runs in a fresh child each time: no HiGHS threads here to fork)
    for size in args.sizes.split(","):
        n_members, n_tasks = (int(x) for x in size.lower().split("x"))
        data = generate(n_members, n_tasks, args.seed)
        g_value, g_wall, g_cpu = _timed(run_greedy, data)
        eng = run_engine(size, args.seed, args.memory)
        note = (
            f"optimal={eng['optimal']} methods={eng['methods']} lp_rounds={eng['lp_rounds']}"
            f" peak_rss={eng['peak_rss']:.0f}MiB input_rss={eng['input_rss']:.0f}MiB"
        )
        if "traced_peak" in eng:
            note += f" traced_peak={eng['traced_peak']:.0f}MiB"
        gap = 100 * (eng["objective"] - g_value) / abs(eng["objective"]) if eng["objective"] else 0.0
        show = _row_printer(size, eng["pairs"], g_wall)
        show("engine", eng["wall"], eng["cpu"], f"{eng['objective']:>14.6f}", note)
        show("greedy", g_wall, g_cpu, f"{g_value:>14.6f}", f"{gap:.2f}% below optimum")
        if not args.no_milp and eng["pairs"] <= args.milp_max_pairs:
            (m_value, status), m_wall, m_cpu = run_milp_bounded(data, args.milp_limit)
            shown = f"{m_value:>14.6f}" if m_value is not None else f"{'-':>14}"
            show("milp", m_wall, m_cpu, shown, f"{status} (limit {args.milp_limit:g} s)")
        elif not args.no_milp:
            show("milp", 0.0, 0.0, f"{'-':>14}", f"not run: over {args.milp_max_pairs} pairs")
        del data
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
