"""Exact solve: relaxation, proof per component, exact completion, output.

Pipeline (each step documented in its module):

1. :func:`.eligibility.build_pairs` lists eligible pairs with integer scores;
2. :func:`.core.build_core` takes pins out and splits the rest into
   connected components of the eligibility graph;
3. :func:`.relax.relax` solves the LP relaxation (flow + lazy overlap cuts)
   over all pairs and gives a dual upper bound per component;
4. a component whose LP solution is integral and whose value reaches its
   bound is proven optimal ("lp" or "lp+cuts"); the others go to
   :func:`.exact.solve_component` ("milp").

``optimal`` in the output is true only when every component was proven.
"""

from __future__ import annotations

from time import perf_counter
from typing import Any

import numpy as np

from .core import Core, build_core
from .eligibility import Pairs, build_pairs
from .exact import solve_component
from .model import MICRO, Problem
from .relax import relax
from .validate import parse_problem


def _as_problem(problem: dict | Problem) -> Problem:
    return problem if isinstance(problem, Problem) else parse_problem(problem)


def _component_values(core: Core, chosen: np.ndarray) -> np.ndarray:
    """Exact objective (micro, Python ints) of ``chosen`` per component."""
    values = np.zeros(core.n_comp, dtype=object)
    score = np.zeros(core.n_comp, np.int64)
    np.add.at(score, core.comp_pair[chosen], core.fs[chosen])
    members = np.flatnonzero(core.comp_member >= 0)
    pins = core.pins_of[members]
    total = pins + np.bincount(core.fm[chosen], minlength=core.n_members)[members]
    cost = np.zeros(core.n_comp, np.int64)
    np.add.at(cost, core.comp_member[members], total * (total - 1) // 2 - pins * (pins - 1) // 2)
    for c in range(core.n_comp):
        values[c] = int(score[c]) - int(cost[c]) * core.spread
    return values


def optimise(core: Core, time_limit: float | None = None) -> tuple[np.ndarray, bool, dict[str, Any]]:
    """Optimal free pairs of ``core``; returns (chosen, proven, stats)."""
    stats: dict[str, Any] = {"methods": {"lp": 0, "lp+cuts": 0, "milp": 0}}
    if core.fm.size == 0:
        stats.update(lp_rounds=0, lp_columns=0, clique_cuts=0, milp_columns=0)
        return np.zeros(0, np.int64), True, stats
    lp = relax(core)
    chosen = lp.x.where(lambda v: v > 0.5)
    fractional = np.zeros(core.n_comp, bool)
    frac = lp.x.where(lambda v: (v > 1e-6) & (v < 1 - 1e-6))
    fractional[core.comp_pair[frac]] = True
    values = _component_values(core, chosen)
    with_cuts = np.zeros(core.n_comp, bool)
    with_cuts[core.comp_member[lp.cut_member]] = True
    deadline = None if time_limit is None else perf_counter() + time_limit
    proven, milp_columns = True, 0
    upper = lp.bound.copy()
    for c in range(core.n_comp):
        if not fractional[c] and lp.bound[c] <= values[c] + 0.5:
            stats["methods"]["lp+cuts" if with_cuts[c] else "lp"] += 1
            continue
        left = None if deadline is None else max(deadline - perf_counter(), 0.0)
        result = solve_component(core, lp, c, left)
        stats["methods"]["milp"] += 1
        milp_columns += result.columns
        proven &= result.proven
        chosen = np.concatenate([chosen[core.comp_pair[chosen] != c], result.chosen])
    stats.update(
        lp_rounds=lp.rounds, lp_columns=lp.columns, clique_cuts=len(lp.cut_rows), milp_columns=milp_columns
    )
    if not proven:  # what an optimal solution could at most be worth
        bound = core.value(np.zeros(0, np.int64)) + float(upper.sum())
        stats["upper_bound"] = round(bound / MICRO, 6)
    return np.sort(chosen), proven, stats


def verify(problem: Problem, pairs: Pairs, chosen: np.ndarray) -> None:
    """Independent feasibility check of a final assignment (indices into pairs)."""
    per_task = np.bincount(pairs.task[chosen], minlength=len(problem.tasks))
    for t, task in enumerate(problem.tasks):
        if per_task[t] > task.slots:
            raise AssertionError(f"task {task.id!r} over its slots")
    mine: dict[int, list[int]] = {}
    for i in chosen.tolist():
        mine.setdefault(int(pairs.member[i]), []).append(int(pairs.task[i]))
    for m, tasks in mine.items():
        if len(tasks) > problem.members[m].max_tasks:
            raise AssertionError(f"member {problem.members[m].id!r} over max_tasks")
        spans = sorted((problem.tasks[t].start, problem.tasks[t].end) for t in tasks)
        if any(b[0] < a[1] for a, b in zip(spans, spans[1:], strict=False)):
            raise AssertionError(f"member {problem.members[m].id!r} has overlapping tasks")
    for m, t in problem.pinned:
        if t not in mine.get(m, []):
            raise AssertionError("pinned pair missing")


def solve(problem: dict | Problem, *, time_limit: float | None = None, timing: bool = False) -> dict:
    """Optimal assignment of members to tasks; see ``docs/matching.md``.

    ``time_limit`` (seconds) only bounds the branch-and-bound stage; when it
    strikes, the best solution found is returned with ``optimal: false``.
    ``timing`` adds wall-clock times to ``stats``; it is off by default so
    that the same input gives byte-identical output.
    """
    clock = perf_counter()
    prob = _as_problem(problem)
    pairs = build_pairs(prob)
    core = build_core(prob, pairs)
    t_pairs = perf_counter()
    free_chosen, proven, stats = optimise(core, time_limit)
    t_solve = perf_counter()
    chosen = np.sort(np.concatenate([core.pin_idx, core.pair_index(free_chosen)]).astype(np.int64))
    verify(prob, pairs, chosen)
    objective = core.value(free_chosen)
    assignments = _assignments(prob, pairs, chosen)
    unfilled = _unfilled(prob, pairs, chosen)
    out_stats = {
        "members": len(prob.members),
        "tasks": len(prob.tasks),
        "eligible_pairs": len(pairs),
        "free_pairs": int(core.fm.size),
        "pinned": len(prob.pinned),
        "forbidden": len(prob.forbidden),
        "assigned": len(assignments),
        "slots": int(sum(t.slots for t in prob.tasks)),
        "unfilled_slots": int(sum(u["missing"] for u in unfilled)),
        "components": core.n_comp,
        "largest_component": _largest_component(core),
        **stats,
    }
    if timing:
        out_stats["seconds"] = {
            "pairs": round(t_pairs - clock, 4),
            "solve": round(t_solve - t_pairs, 4),
            "total": round(perf_counter() - clock, 4),
        }
    return {
        "assignments": assignments,
        "objective": objective / MICRO,
        "optimal": bool(proven),
        "unfilled": unfilled,
        "stats": out_stats,
    }


def _assignments(prob: Problem, pairs: Pairs, chosen: np.ndarray) -> list[dict]:
    return [
        {"member": prob.members[m].id, "task": prob.tasks[t].id, "score": int(s) / MICRO}
        for m, t, s in zip(
            pairs.member[chosen].tolist(),
            pairs.task[chosen].tolist(),
            pairs.score[chosen].tolist(),
            strict=True,
        )
    ]


def _unfilled(prob: Problem, pairs: Pairs, chosen: np.ndarray) -> list[dict]:
    filled = np.bincount(pairs.task[chosen], minlength=len(prob.tasks))
    return [
        {"task": t.id, "missing": int(t.slots - filled[i])}
        for i, t in enumerate(prob.tasks)
        if filled[i] < t.slots
    ]


def _largest_component(core: Core) -> dict[str, int]:
    if core.n_comp == 0:
        return {"members": 0, "tasks": 0, "pairs": 0}
    pairs = sum(np.bincount(core.comp_pair[part], minlength=core.n_comp) for part in core.chunks())
    c = int(np.argmax(pairs))
    return {
        "members": int((core.comp_member == c).sum()),
        "tasks": int((core.comp_task == c).sum()),
        "pairs": int(pairs[c]),
    }
