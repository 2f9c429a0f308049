"""The benchmarks' pure parts: arguments, wrk's result line, the tables, the form body.

No server and no wrk here: the benchmarks themselves are run by hand (`python benchmarks/run.py`), so a
refactoring that breaks their parsing or their tables should fail in the suite, not on the day someone
needs the numbers.
"""

from __future__ import annotations

import importlib.util
import sys
import urllib.parse
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

import bench_web  # noqa: E402
import web_instance  # noqa: E402

# Loaded under its own name: a top-level module called "run" could shadow or be shadowed by another.
_spec = importlib.util.spec_from_file_location("benchmarks_run", BENCHMARKS / "run.py")
run = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(run)

KK_LINE = (
    "KK_RESULT requests=2000 duration_us=4000000 p50_us=12000 p95_us=45500 p99_us=190000 max_us=300000 "
    "connect=0 read=1 write=0 status=2 timeout=3 not_redirected=7"
)


def test_web_arguments_default_to_the_issue_and_refuse_nonsense():
    args = bench_web.parse_args([])
    assert (args.backend, args.connections, args.workers, args.duration) == ("both", 50, 2, 10.0)
    assert bench_web.parse_args(["--workers", "4", "--duration", "5"]).workers == 4
    with pytest.raises(SystemExit):
        bench_web.parse_args(["--duration", "0"])


def test_wrk_line_is_parsed_and_errors_count_redirects_only_for_posts():
    result = bench_web.parse_wrk("Running 4s test\n" + KK_LINE + "\n")
    assert result["requests"] == 2000 and result["p99_us"] == 190000
    get = bench_web.measure(result, "gunicorn 2w", "sqlite", "GET skills")
    assert get["rps"] == 500 and get["p99"] == 190 and get["errors"] == 1 + 2 + 3
    post = bench_web.measure(result, "gunicorn 2w", "sqlite", "POST skills", redirect=True)
    assert post["errors"] == 1 + 3 + 7
    with pytest.raises(ValueError):
        bench_web.parse_wrk("wrk: connection refused")


def test_web_table_shows_the_ratio_to_hello():
    def row(backend: str, page: str, requests: int) -> dict:
        line = KK_LINE.replace("requests=2000", f"requests={requests}")
        return bench_web.measure(bench_web.parse_wrk(line), "gunicorn 2w", backend, page)

    rows = [
        row("(sqlite)", "hello", 8000),
        row("sqlite", "GET skills", 2000),
        row("(postgresql)", "hello", 4000),
        row("postgresql", "GET skills", 2000),
    ]
    bench_web.add_ratios(rows)
    assert [r["ratio"] for r in rows] == [1.0, 0.25, 1.0, 0.5]  # each against its own backend's hello
    lines = bench_web.format_table(rows).splitlines()
    assert lines[0].split()[:3] == ["server", "backend", "page"]
    assert "0.250" in lines[2] and lines[2].split()[-1] == "-"
    assert len({len(line) for line in lines}) == 1  # aligned columns


def test_requests_file_refuses_a_tab_and_post_body_holds_every_row():
    with pytest.raises(ValueError):
        bench_web.request_lines([("GET", "/a\tb", "", "")])
    options = ["skill:a", "skill:b", "skill:c"]
    levels = web_instance.skill_levels(1, options)
    assert levels == {"skill:a": 1, "skill:b": 2, "skill:c": 0}
    body = dict(urllib.parse.parse_qsl(web_instance.form_body("tok", "skills", levels, options)))
    assert body == {
        "csrf_token": "tok",
        "skills__0": "1",
        "skills__1": "2",
        "skills__2": "0",
        "other_languages": "finska",
        "action": "next",
    }
    assert bench_web.links_to_post(warmup_requests=10, duration=5, links=60) == 25
    assert bench_web.links_to_post(warmup_requests=0, duration=5, links=60) == 1


def test_run_arguments_choose_sizes_and_benchmarks():
    quick = run.parse_args([])
    assert quick.only == run.NAMES and quick.duration == 5
    assert run.parse_args(["--full"]).duration == 10
    assert "--rows" in run.command("import", quick, Path("x.json"))
    assert "--rows" not in run.command("import", run.parse_args(["--full"]), Path("x.json"))
    assert "--json" in run.command("web", quick, Path("x.json"))
    with pytest.raises(SystemExit):
        run.parse_args(["--only", "web,nope"])


def test_run_reads_each_benchmarks_table():
    imported = run.rows_import(
        "run                rows read_csv s import s  cpu s  ratio peak MB\n"
        "first import      10000       0.08     1.87   1.50   23.6     180      1\n"
    )
    assert imported[0]["value"] == "1.87" and imported[0]["ratio"] == "23.600"
    matched = run.rows_matching(
        "        size     pairs  method   wall s    cpu s  ratio      objective  note\n"
        "      200x50      1234  engine     0.04     0.04   0.80       1.000000  optimal=True "
        "methods={'lp': 2, 'milp': 0} lp_rounds=2 peak_rss=103MiB input_rss=100MiB\n"
        "      200x50      1234  greedy     0.05     0.05   1.00       0.900000  y\n"
        " 30000x10000  16214418  engine    41.00    40.00   2.00  370817.333778  optimal=True "
        "methods={'lp': 0} lp_rounds=10 peak_rss=978MiB input_rss=248MiB\n"
        " 30000x10000  16214418  greedy    20.50    20.00   1.00  345000.000000  y\n"
        " 30000x10000  16214418    milp     0.00     0.00   0.00              -  not run: over 2000000\n"
    )
    assert [r["measure"] for r in matched] == [
        "200x50 engine wall s",
        "200x50 engine proven optimal",
        "200x50 engine peak RSS MiB",
        "30000x10000 engine wall s",
        "30000x10000 engine proven optimal",
        "30000x10000 engine peak RSS MiB",
    ]
    assert matched[0]["baseline"] == "greedy 0.05 s" and matched[1]["value"] == "True"
    assert matched[3]["goal"] == "<= 60 s, optimal" and matched[3]["ratio"] == "2.000"
    assert matched[5]["value"] == "978" and matched[5]["goal"] == "<= 1 GB"
    assert matched[5]["baseline"] == "input alone 248MiB"
    full = run.command("matching", run.parse_args(["--full"]), Path("x.json"))
    assert "30000x10000" in full[full.index("--sizes") + 1]
    calls = run.rows_calllists(
        f"{'postgresql':<11}{'next person (allocate)':<28}{100:>6}{5.0:>9.1f}{20.0:>9.1f}"
        f"{30.0:>9.1f}\n{'postgresql':<11}{'plain SELECT ... LIMIT 1':<28}{100:>6}"
        f"{1.0:>9.1f}{4.0:>9.1f}{6.0:>9.1f}\n"
    )
    assert calls[0]["value"] == "20.0" and calls[0]["ratio"] == "5.000"
    web = run.rows_web(
        {
            "rows": [
                {
                    "page": "hello",
                    "backend": "(sqlite)",
                    "group": "sqlite",
                    "rps": 1000.0,
                    "ratio": 1.0,
                    "p99": 5.0,
                    "errors": 0,
                    "lost": None,
                },
                {
                    "page": "POST skills",
                    "backend": "sqlite",
                    "group": "sqlite",
                    "rps": 100.0,
                    "ratio": 0.1,
                    "p99": 100.0,
                    "errors": 0,
                    "lost": 0,
                },
            ],
            "failures": ["postgresql: RuntimeError: no binaries"],
        }
    )
    assert [r["measure"] for r in web] == [
        "sqlite POST skills req/s",
        "sqlite POST p99 ms",
        "sqlite POST errors/lost",
        "FAILED",
    ]
    table = run.format_table(web).splitlines()
    assert table[0].split() == list(run.COLUMNS) and "0.500" in table[2]
    assert web[0]["baseline"] == "hello 1000 req/s" and web[0]["ratio"] == "0.100"
    assert table[-1].split()[:3] == ["web", "FAILED:", "postgresql:"]  # the reason runs on, unaligned
