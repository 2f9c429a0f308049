"""LP relaxation with column generation and lazy clique cuts (HiGHS).

Without the "no overlapping tasks" rule the problem is a min-cost flow:
member -> task -> slot, with the convex spread cost modelled by one unit
column per extra task at increasing cost.  Its LP is totally unimodular, so
the simplex returns an integral vertex.  Two things keep that LP small and
fast on district-sized inputs:

* columns: the LP starts from the optimum of the overlap-free flow (solved by
  a network code, :mod:`.flow`) and, per task, the members whose pairs that
  flow prices best; after each solve, every left-out pair is priced against
  the duals in one vectorised pass and the profitable ones are added.  When none is left, the LP optimum
  is also the optimum over all pairs (LP duality).
* rows: the overlap rule is added lazily, only for members whose LP solution
  breaks it, as "at most one of the tasks covering time p" cuts.

The final duals give, for every component, an upper bound valid for the
whole problem (weak duality, computed over *all* pairs), which is what
proves optimality later on.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.sparse import csr_matrix

from .core import Core, spread_columns
from .flow import flow_start, top_per_task
from .restricted import RestrictedLP

PRICE_TOL = 1e-3  # micro-units; reduced costs below are treated as zero
EXTRA_START = 1  # members per task beyond its slots in the first LP, best by flow reduced cost
EXTRA_ROUND = 2  # extra columns per task and round beyond its slots


@dataclass
class Relaxation:
    x: np.ndarray  # LP value per free pair (0 when not in the LP)
    active: np.ndarray  # bool per free pair: column was in the final LP
    d: np.ndarray  # reduced cost per free pair (micro)
    bound: np.ndarray  # upper bound per component (micro, float)
    cut_member: np.ndarray  # member of each clique cut
    rounds: int = 0
    columns: int = 0
    cut_rows: list[np.ndarray] = field(default_factory=list)


def _bound(core: Core, y_task, y_mem, w, cut_member, d) -> np.ndarray:
    """Weak-duality bound per component (micro) for duals y >= 0, w >= 0."""
    c_all = core.n_comp
    ub = np.zeros(c_all)
    tasks = np.flatnonzero(core.comp_task >= 0)
    np.add.at(ub, core.comp_task[tasks], core.slots[tasks] * y_task[tasks])
    members = np.flatnonzero(core.comp_member >= 0)
    rhs = (core.pins_of[members] == 0).astype(float)
    np.add.at(ub, core.comp_member[members], rhs * y_mem[members])
    if w.size:
        np.add.at(ub, core.comp_member[cut_member], w)
    np.add.at(ub, core.comp_pair, np.maximum(d, 0.0))
    degree = np.bincount(core.fm, minlength=core.n_members)
    um, cost = spread_columns(core, members, degree)
    np.add.at(ub, core.comp_member[um], np.maximum(y_mem[um] - cost, 0.0))
    return ub


def relax(core: Core) -> Relaxation:
    """Solve the LP relaxation over all free pairs; see the module docstring."""
    n_free = core.fm.size
    active = np.zeros(n_free, bool)
    reduced, flow_pairs = flow_start(core)
    first = top_per_task(core, np.flatnonzero(core.fs > 0), reduced[core.fs > 0], EXTRA_START)
    first = np.union1d(first, flow_pairs)
    lp = RestrictedLP(core)
    lp.add_columns(first)
    lp.last = "start"
    active[first] = True
    cut_seen: set[tuple[int, int]] = set()
    rounds = 0
    while True:
        rounds += 1
        x_cols, y_task, y_mem, w = lp.solve()
        x = np.zeros(n_free)
        x[lp.cols] = x_cols
        # One kind of change per round keeps the warm start cheap: new cut rows
        # leave the basis dual feasible (dual simplex), new columns leave it
        # primal feasible (primal simplex).
        new_cuts = _separate(core, x, lp.cols, cut_seen)
        if new_cuts:
            lp.add_cuts(new_cuts)
            continue
        cuts = _cut_matrix(lp.cut_rows, n_free)
        d = core.fs - y_task[core.ft] - y_mem[core.fm]
        if cuts is not None:
            d = d - cuts.T @ w
        price = np.flatnonzero(~active & (d > PRICE_TOL))
        if price.size == 0:
            break
        new_cols = top_per_task(core, price, d[price], EXTRA_ROUND)
        lp.add_columns(np.sort(new_cols))
        active[new_cols] = True
    cm = np.array(lp.cut_member, np.int64)
    bound = _bound(core, y_task, y_mem, w, cm, d)
    # Duals of a totally unimodular LP are integers; rounding removes float noise.
    yt, ym, wr = (np.maximum(np.rint(v), 0.0) for v in (y_task, y_mem, w))
    dr = core.fs - yt[core.ft] - ym[core.fm]
    if cuts is not None:
        dr = dr - cuts.T @ wr
    bound = np.minimum(bound, _bound(core, yt, ym, wr, cm, dr))
    return Relaxation(x, active, d, bound, cm, rounds, int(active.sum()), lp.cut_rows)


def _cut_matrix(cut_rows: list[np.ndarray], n_free: int) -> csr_matrix | None:
    if not cut_rows:
        return None
    rows = np.repeat(np.arange(len(cut_rows)), [r.size for r in cut_rows])
    cols = np.concatenate(cut_rows)
    return csr_matrix((np.ones(cols.size), (rows, cols)), shape=(len(cut_rows), n_free))


def _separate(core: Core, x: np.ndarray, cols: np.ndarray, seen: set[tuple[int, int]]):
    """Clique cuts violated by ``x``: members with overlapping (fractional) tasks."""
    support = cols[x[cols] > 1e-7]
    support = support[core.cap[core.fm[support]] >= 2]
    if support.size < 2:
        return []
    order = np.lexsort((core.ft[support], core.fm[support]))
    support = support[order]
    sm = core.fm[support]
    bounds = np.flatnonzero(np.diff(sm)) + 1
    out = []
    for group in np.split(support, bounds):
        if group.size < 2:
            continue
        m = int(core.fm[group[0]])
        s, e, v = core.start[core.ft[group]], core.end[core.ft[group]], x[group]
        for p in np.unique(s):
            if v[(s <= p) & (p < e)].sum() > 1 + 1e-7 and (m, int(p)) not in seen:
                seen.add((m, int(p)))
                mine = core.member_pairs(m)
                ts = core.ft[mine]
                out.append((m, int(p), mine[(core.start[ts] <= p) & (p < core.end[ts])]))
    return out
