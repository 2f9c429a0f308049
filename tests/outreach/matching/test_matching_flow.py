"""The overlap-free relaxation solved as a min-cost flow (outreach/matching/flow.py).

Its value must be the optimum of the overlap-free LP, solved here independently by scipy's HiGHS, and
its reduced costs must certify it: no pair outside the flow is profitable, none inside it is a loss.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest
from scipy.optimize import linprog
from scipy.sparse import coo_matrix

from outreach.matching import parse_problem, solve
from outreach.matching.core import NO_CUTS, build_core, spread_columns
from outreach.matching.eligibility import build_pairs
from outreach.matching.flow import flow_start

_spec = importlib.util.spec_from_file_location(
    "bench_matching", Path(__file__).resolve().parents[3] / "benchmarks" / "bench_matching.py"
)
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)


def overlap_free_lp(core) -> float:
    """max sum(score x) - spread costs, task slots and member capacities only (an LP, by HiGHS)."""
    n, n_tasks, n_free = core.n_members, core.n_tasks, core.fm.size
    degree = np.bincount(core.fm, minlength=n)
    um, ucost = spread_columns(core, np.flatnonzero(degree), degree)
    rows = np.concatenate([core.ft, n_tasks + core.fm, n_tasks + um])
    cols = np.concatenate([np.arange(n_free), np.arange(n_free), n_free + np.arange(um.size)])
    vals = np.concatenate([np.ones(2 * n_free), -np.ones(um.size)])
    a = coo_matrix((vals, (rows, cols)), shape=(n_tasks + n, n_free + um.size))
    upper = np.concatenate([core.slots, (core.pins_of == 0).astype(float)])
    res = linprog(np.concatenate([-core.fs, ucost]).astype(float), A_ub=a, b_ub=upper, bounds=(0, 1))
    assert res.status == 0
    return -res.fun


def flow_value(core, chosen) -> int:
    counts = np.bincount(core.fm[chosen], minlength=core.n_members) + core.pins_of
    cost = core.spread * int((counts * (counts - 1) // 2 - core.pins_of * (core.pins_of - 1) // 2).sum())
    return int(core.fs[chosen].sum()) - cost


@pytest.mark.parametrize(("members", "tasks", "seed"), [(300, 80, 1), (1500, 300, 7), (800, 400, 3)])
def test_flow_reaches_the_overlap_free_optimum_and_its_duals_prove_it(members, tasks, seed):
    prob = parse_problem(bench.generate(members, tasks, seed))
    core = build_core(prob, build_pairs(prob))
    y_task, y_member, chosen = flow_start(core)
    assert flow_value(core, chosen) == pytest.approx(overlap_free_lp(core), abs=0.5)
    reduced = core.reduced_at(np.arange(core.fm.size), y_task, y_member, *NO_CUTS)
    outside = np.ones(core.fm.size, bool)
    outside[chosen] = False
    assert (reduced[outside] <= 0).all(), "a profitable pair was left out of an optimal flow"
    assert (reduced[chosen] >= 0).all(), "an optimal flow carries a losing pair"
    assert (np.bincount(core.ft[chosen], minlength=core.n_tasks) <= core.slots).all()
    assert (np.bincount(core.fm[chosen], minlength=core.n_members) <= core.cap).all()


def test_flow_respects_pins_and_the_solve_stays_optimal():
    data = bench.generate(400, 120, 5)
    prob = parse_problem(data)
    pairs = build_pairs(prob)
    pins: dict[int, int] = {}  # one pin per member, each on a task of its own
    for m, t in zip(pairs.member.tolist(), pairs.task.tolist(), strict=True):
        if m not in pins and t not in pins.values() and len(pins) < 15:
            pins[m] = t
    data["pinned"] = [[prob.members[m].id, prob.tasks[t].id] for m, t in pins.items()]
    assert data["pinned"], "the generator gives eligible pins"
    prob = parse_problem(data)
    core = build_core(prob, build_pairs(prob))
    _, _, chosen = flow_start(core)
    assert flow_value(core, chosen) == pytest.approx(overlap_free_lp(core), abs=0.5)
    out = solve(data)
    assert out["optimal"]
    taken = {(a["member"], a["task"]) for a in out["assignments"]}
    assert {tuple(p) for p in data["pinned"]} <= taken


def test_without_a_network_optimum_the_lp_starts_from_scores_and_stays_exact(monkeypatch):
    from outreach.matching import flow

    data = bench.generate(300, 80, 2)
    expected = solve(data)
    monkeypatch.setattr(flow._Network, "solve", lambda self, cols: None)
    prob = parse_problem(data)
    assert flow.flow_start(build_core(prob, build_pairs(prob))) is None
    out = solve(data)
    assert out["optimal"] and out["objective"] == expected["objective"]


def test_bellman_ford_reports_a_negative_cycle_instead_of_looping():
    from outreach.matching.flow import _distances

    tail, head, cost = np.array([0, 1, 2]), np.array([1, 2, 1]), np.array([0, -2, 1])
    every = np.ones(3, bool)
    assert _distances(3, tail, head, cost, every, ~every) is None
    assert _distances(3, tail, head, np.array([0, 2, 1]), every, ~every).tolist() == [0, 0, 2]


def test_chunked_passes_agree_with_whole_array_ones(monkeypatch):
    """The core's chunked loops (memory at national scale) give what one whole-array pass gives."""
    from scipy.sparse.csgraph import connected_components

    from outreach.matching import core as core_mod
    from outreach.matching import index

    monkeypatch.setattr(core_mod, "CHUNK", 397)  # many chunks, none aligned with anything
    monkeypatch.setattr(index, "CHUNK", 397)
    prob = parse_problem(bench.generate(600, 150, 4))
    core = build_core(prob, build_pairs(prob))
    assert core.fm.size > 5 * 397
    assert (core.by_member == np.argsort(core.fm, kind="stable")).all()
    rng = np.random.default_rng(0)
    n, n_tasks = 3000, 2000  # sparse: hundreds of components, some spread over several chunks
    fm, ft = rng.integers(0, n, 2500), rng.integers(0, n_tasks, 2500)
    comp, n_comp = index.components(n, n_tasks, fm, ft)
    graph = coo_matrix((np.ones(fm.size), (fm, n + ft)), shape=(n + n_tasks,) * 2)
    _, labels = connected_components(graph, directed=False)
    used = np.flatnonzero(comp >= 0)
    assert n_comp == np.unique(labels[used]).size > 100
    assert (
        (labels[used][:, None] == labels[used][None, :]) == (comp[used][:, None] == comp[used][None, :])
    ).all()
    y_task = rng.integers(0, 12_000_000, core.n_tasks)
    y_member = rng.integers(0, 4_000_000, core.n_members)
    got = core.select(y_task, y_member, 2, above=0)
    d = core.fs.astype(np.int64) - y_task[core.ft] - y_member[core.fm]
    want = []
    for t in range(core.n_tasks):
        mine = np.flatnonzero((core.ft == t) & (d > 0) & (core.fs > 0))
        want += sorted(mine[np.lexsort((mine, -d[mine]))][: core.slots[t] + 2].tolist())
    assert got.tolist() == sorted(want)
