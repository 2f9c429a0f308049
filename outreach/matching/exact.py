"""Exact completion for components whose LP optimum is fractional.

With the overlap cuts the LP is no longer a flow and may stop at a
fractional vertex.  For such a component we need branch and bound, but not
on the whole component: the LP duals say how much the objective must drop
when a pair leaves its LP value (its reduced cost).  With a feasible
solution of value LB (greedy rounding of the LP) and the LP bound UB, any
pair whose reduced cost exceeds UB - LB in magnitude keeps its LP value in
every solution at least as good as LB.  Only the remaining pairs go into a
MILP (HiGHS via :func:`scipy.optimize.milp`), with every clique constraint
of their members, so the MILP optimum is the component optimum.
"""

from __future__ import annotations

from dataclasses import dataclass
from time import perf_counter

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_matrix

from .core import Core, greedy, maximal_cliques
from .relax import Relaxation

FIX_MARGIN = 0.05  # micro-units of slack against floating-point error in the bound


@dataclass
class ExactResult:
    chosen: np.ndarray  # free-pair indices
    proven: bool
    columns: int  # free MILP columns
    fixed: int  # columns fixed to 1 by reduced cost


def component_value(core: Core, chosen: np.ndarray, members: np.ndarray) -> int:
    """Exact objective contribution (micro) of ``chosen`` within one component."""
    counts = np.bincount(core.fm[chosen], minlength=core.n_members)[members]
    pins = core.pins_of[members]
    total = counts + pins
    cost = int((total * (total - 1) // 2 - pins * (pins - 1) // 2).sum()) * core.spread
    return int(core.fs[chosen].sum(dtype=np.int64)) - cost


def solve_component(core: Core, lp: Relaxation, comp: int, time_limit: float | None) -> ExactResult:
    """Optimal free pairs of component ``comp``; see the module docstring.

    The MILP starts on the pairs of the final LP and grows until every pair
    left out has a reduced cost below ``-(UB - best)``: such a pair cannot be
    in any solution as good as the best one found.
    """
    deadline = None if time_limit is None else perf_counter() + time_limit
    idx = np.flatnonzero(core.comp_pair == comp)
    members = np.flatnonzero(core.comp_member == comp)
    x, d = lp.x.at(idx), lp.reduced(core, idx)
    best = greedy(core, idx[np.lexsort((idx, -core.fs[idx], -x))])  # LP rounding
    best_value = component_value(core, best, members)
    upper = float(lp.bound[comp])
    inside = lp.active[idx] | np.isin(idx, best)
    proven, fixed = False, 0
    while True:
        gap = upper - best_value
        if gap < 1 - FIX_MARGIN:  # integral objective: nothing can beat the incumbent
            proven = True
            break
        inside |= d > gap + FIX_MARGIN
        inside &= d >= -gap - FIX_MARGIN
        lower = (d[inside] > gap + FIX_MARGIN).astype(float)
        fixed = int(lower.sum())
        left = None if deadline is None else deadline - perf_counter()
        chosen, status = _milp(core, idx[inside], lower, left)
        if chosen is not None and component_value(core, chosen, members) > best_value:
            best, best_value = chosen, component_value(core, chosen, members)
        if status != 0:
            break
        gap = upper - best_value
        missing = ~inside & (d >= -gap - FIX_MARGIN)
        if not missing.any():
            proven = True
            break
        inside |= missing
    return ExactResult(np.sort(best), proven, int(inside.sum()), fixed)


def _milp(core: Core, cols: np.ndarray, lower: np.ndarray, time_limit: float | None):
    """MILP over ``cols`` with all overlap cliques; returns (chosen, status)."""
    fm, ft = core.fm[cols], core.ft[cols]
    nx = cols.size
    order = np.lexsort((ft, fm))
    rows, cidx, vals, upper = [], [], [], []
    row = 0
    # task rows
    tasks, tinv = np.unique(ft, return_inverse=True)
    rows.append(tinv)
    cidx.append(np.arange(nx))
    vals.append(np.ones(nx))
    upper.append(core.slots[tasks].astype(float))
    row += tasks.size
    # member rows with spread columns, and clique rows
    members, minv, mdeg = np.unique(fm, return_inverse=True, return_counts=True)
    rows.append(row + minv)
    cidx.append(np.arange(nx))
    vals.append(np.ones(nx))
    upper.append((core.pins_of[members] == 0).astype(float))
    k0 = np.where(core.pins_of[members] == 0, 2, 1)
    top = np.minimum(core.cap[members], mdeg)
    count = np.maximum(top - k0 + 1, 0)
    um = np.repeat(np.arange(members.size), count)
    k = np.repeat(k0, count) + np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
    ucost = core.spread * (core.pins_of[members[um]] + k - 1)
    nu = um.size
    rows.append(row + um)
    cidx.append(nx + np.arange(nu))
    vals.append(-np.ones(nu))
    row += members.size
    starts = np.searchsorted(fm[order], members)
    ends = np.r_[starts[1:], nx]
    for i, m in enumerate(members):
        if core.cap[m] < 2 or mdeg[i] < 2:
            continue
        mine = order[starts[i] : ends[i]]
        for clique in maximal_cliques(core.start[ft[mine]], core.end[ft[mine]]):
            rows.append(np.full(clique.size, row))
            cidx.append(mine[clique])
            vals.append(np.ones(clique.size))
            upper.append(np.ones(1))
            row += 1
    a = coo_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cidx))), shape=(row, nx + nu)
    ).tocsr()
    c = np.concatenate([-core.fs[cols], ucost]).astype(float)
    options = {"mip_rel_gap": 0.0, "presolve": True, "disp": False}
    if time_limit is not None:
        options["time_limit"] = max(float(time_limit), 0.01)  # HiGHS needs a positive limit
    res = milp(
        c,
        integrality=np.r_[np.ones(nx), np.zeros(nu)],
        bounds=Bounds(np.r_[lower, np.zeros(nu)], np.ones(nx + nu)),
        constraints=LinearConstraint(a, -np.inf, np.concatenate(upper)),
        options=options,
    )
    if res.x is None:
        return None, res.status
    return np.sort(cols[res.x[:nx] > 0.5]), res.status
