"""The generic MILP that bench_matching.py sets beside the engine, with a deadline that holds.

One binary per eligible pair, convex spread columns and per-member clique rows, solved by HiGHS through
``scipy.optimize.milp``. HiGHS checks its ``time_limit`` only between phases: at 6,000 x 1,200 it ran
about 340 s past a 120 s limit, which made ``run.py --full`` long for a comparison row. So it runs in a
forked child that is killed `GRACE` seconds after its limit; the row then says so.
"""

from __future__ import annotations

import multiprocessing
import resource
import time

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_matrix

from outreach.matching import parse_problem
from outreach.matching.core import maximal_cliques
from outreach.matching.eligibility import build_pairs

GRACE = 30.0  # seconds past the limit before the child is killed


def run_milp(data: dict, limit: float) -> tuple[float | None, str]:
    """The textbook MILP on all eligible pairs (pins would be fixed bounds)."""
    prob = parse_problem(data)
    pairs = build_pairs(prob)
    n, nt, nx = len(prob.members), len(prob.tasks), len(pairs)
    spread = prob.weights.micro()["spread"]
    cap = np.array([m.max_tasks for m in prob.members])
    deg = np.bincount(pairs.member, minlength=n)
    top = np.minimum(cap, deg)
    cnt = np.maximum(top - 1, 0)
    um = np.repeat(np.arange(n), cnt)
    k = 2 + np.arange(cnt.sum()) - np.repeat(np.cumsum(cnt) - cnt, cnt)
    rows = [pairs.task, nt + pairs.member, nt + um]
    cols = [np.arange(nx), np.arange(nx), nx + np.arange(um.size)]
    vals = [np.ones(nx), np.ones(nx), -np.ones(um.size)]
    ub = [np.array([t.slots for t in prob.tasks], float), np.ones(n)]
    row = nt + n
    start = np.array([t.start for t in prob.tasks])
    end = np.array([t.end for t in prob.tasks])
    order = np.argsort(pairs.member, kind="stable")
    ptr = np.searchsorted(pairs.member[order], np.arange(n + 1))
    for m in np.flatnonzero((cap >= 2) & (deg >= 2)):
        mine = order[ptr[m] : ptr[m + 1]]
        for clique in maximal_cliques(start[pairs.task[mine]], end[pairs.task[mine]]):
            rows.append(np.full(clique.size, row))
            cols.append(mine[clique])
            vals.append(np.ones(clique.size))
            ub.append(np.ones(1))
            row += 1
    a = coo_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(row, nx + um.size)
    ).tocsr()
    c = np.concatenate([-pairs.score, spread * (k - 1)]).astype(float)
    res = milp(
        c,
        integrality=np.r_[np.ones(nx), np.zeros(um.size)],
        bounds=Bounds(0, 1),
        constraints=LinearConstraint(a, -np.inf, np.concatenate(ub)),
        options={"time_limit": limit, "mip_rel_gap": 0.0},
    )
    if res.x is None:
        return None, "timed out" if res.status == 1 else res.message
    value = -res.fun / 1e6
    return value, ("optimal" if res.status == 0 else "timed out")


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_milp_bounded(data: dict, limit: float) -> tuple[tuple[float | None, str], float, float]:
    """((objective or None, status), wall seconds, CPU seconds) of `run_milp` in a child process that
    is killed when it is still running `GRACE` seconds after its limit."""
    context = multiprocessing.get_context("fork")  # the child gets `data` without pickling it
    receive, send = context.Pipe(duplex=False)

    def child() -> None:
        send.send(run_milp(data, limit))

    wall0, cpu0 = time.perf_counter(), _children_cpu()
    process = context.Process(target=child, daemon=True)
    process.start()
    send.close()
    result: tuple[float | None, str]
    if receive.poll(limit + GRACE):
        result = receive.recv()
    else:
        process.kill()
        result = (None, f"killed {GRACE:g} s past the limit")
    process.join()
    return result, time.perf_counter() - wall0, _children_cpu() - cpu0
