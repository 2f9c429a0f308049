"""LP relaxation with column generation and lazy clique cuts (HiGHS).

Without the "no overlapping tasks" rule the problem is a min-cost flow:
member -> task -> slot, with the convex spread cost modelled by one unit
column per extra task at increasing cost.  Its LP is totally unimodular, so
the simplex returns an integral vertex.  Two things keep that LP small and
fast on district-sized inputs:

* columns: the LP starts from the optimum of the overlap-free flow (solved by
  a network code, :mod:`.flow`) and, per task, the members whose pairs that
  flow prices best; after each solve, every left-out pair is priced against
  the duals (whole tasks a chunk at a time) and the profitable ones are
  added.  When none is left, the LP optimum
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

from .core import NO_CUTS, Core, spread_columns
from .flow import START_EXTRA, flow_start
from .restricted import RestrictedLP

PRICE_TOL = 1e-3  # micro-units; reduced costs below are treated as zero
EXTRA_START = 1  # members per task beyond its slots in the first LP, best by flow reduced cost
EXTRA_ROUND = 2  # extra columns per task and round beyond its slots


@dataclass(frozen=True)
class LPValues:
    """LP values of the pair columns (every other free pair is 0): ~200,000 entries, not 16 million."""

    cols: np.ndarray  # free pairs, ascending
    values: np.ndarray

    @classmethod
    def of(cls, cols: np.ndarray, values: np.ndarray) -> LPValues:
        order = np.argsort(cols, kind="stable")
        return cls(cols[order], values[order])

    def at(self, idx: np.ndarray) -> np.ndarray:
        """Values of the free pairs ``idx`` (any order)."""
        if self.cols.size == 0:
            return np.zeros(idx.size)
        pos = np.minimum(np.searchsorted(self.cols, idx), self.cols.size - 1)
        return np.where(self.cols[pos] == idx, self.values[pos], 0.0)

    def where(self, test) -> np.ndarray:
        """Free pairs (ascending) whose value passes ``test``."""
        return self.cols[test(self.values)]


@dataclass
class Relaxation:
    x: LPValues  # LP value per free pair
    active: np.ndarray  # bool per free pair: column was in the final LP
    duals: tuple  # (y_task, y_member, cut pairs, cut duals): see reduced()
    bound: np.ndarray  # upper bound per component (micro, float)
    cut_member: np.ndarray  # member of each clique cut
    rounds: int = 0
    columns: int = 0
    cut_rows: list[np.ndarray] = field(default_factory=list)

    def reduced(self, core: Core, idx: np.ndarray) -> np.ndarray:
        """Reduced cost (micro) of the free pairs ``idx`` (ascending) against the final duals: kept
        as duals, not as a 16-million-entry array."""
        return core.reduced_at(idx, *self.duals)


def _bound(core: Core, y_task, y_mem, w, cut_member, cut_rows: list[np.ndarray]) -> np.ndarray:
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
    ub += core.positive_reduced_per_component(y_task, y_mem, *_cut_terms(cut_rows, w))
    degree = core.degree
    um, cost = spread_columns(core, members, degree)
    np.add.at(ub, core.comp_member[um], np.maximum(y_mem[um] - cost, 0.0))
    return ub


def relax(core: Core) -> Relaxation:
    """Solve the LP relaxation over all free pairs; see the module docstring."""
    n_free = core.fm.size
    active = np.zeros(n_free, bool)
    start = flow_start(core)
    if start is None:  # no network optimum: what the first network had, each task's best scores
        first = core.select(np.zeros(core.n_tasks), np.zeros(core.n_members), START_EXTRA)
    else:
        first = np.union1d(core.select(start[0], start[1], EXTRA_START), start[2])
    lp = RestrictedLP(core)
    lp.add_columns(first)
    lp.last = "start"
    active[first] = True
    cut_seen: set[tuple[int, int]] = set()
    rounds = 0
    while True:
        rounds += 1
        x_cols, y_task, y_mem, w = lp.solve()
        x = LPValues.of(lp.cols, x_cols)
        # One kind of change per round keeps the warm start cheap: new cut rows
        # leave the basis dual feasible (dual simplex), new columns leave it
        # primal feasible (primal simplex).
        new_cuts = _separate(core, x, cut_seen)
        if new_cuts:
            lp.add_cuts(new_cuts)
            continue
        new_cols = core.select(
            y_task, y_mem, EXTRA_ROUND, above=PRICE_TOL, exclude=active, minus=_cut_terms(lp.cut_rows, w)
        )
        if new_cols.size == 0:
            break
        lp.add_columns(new_cols)
        active[new_cols] = True
    cm = np.array(lp.cut_member, np.int64)
    bound = _bound(core, y_task, y_mem, w, cm, lp.cut_rows)
    # Duals of a totally unimodular LP are integers; rounding removes float noise.
    yt, ym, wr = (np.maximum(np.rint(v), 0.0) for v in (y_task, y_mem, w))
    bound = np.minimum(bound, _bound(core, yt, ym, wr, cm, lp.cut_rows))
    duals = (y_task, y_mem, *_cut_terms(lp.cut_rows, w))
    return Relaxation(x, active, duals, bound, cm, rounds, int(active.sum()), lp.cut_rows)


def _cut_terms(cut_rows: list[np.ndarray], w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The cuts' duals as (free pair, dual) entries sorted by pair (a pair may sit in several cuts)."""
    if not cut_rows:
        return NO_CUTS
    idx = np.concatenate(cut_rows)
    val = np.repeat(w, [r.size for r in cut_rows])
    order = np.argsort(idx, kind="stable")
    return idx[order], val[order]


def _separate(core: Core, x: LPValues, seen: set[tuple[int, int]]):
    """Clique cuts violated by ``x``: members with overlapping (fractional) tasks."""
    support = x.where(lambda v: v > 1e-7)
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
        s, e, v = core.start[core.ft[group]], core.end[core.ft[group]], x.at(group)
        for p in np.unique(s):
            if v[(s <= p) & (p < e)].sum() > 1 + 1e-7 and (m, int(p)) not in seen:
                seen.add((m, int(p)))
                mine = core.member_pairs(m)
                ts = core.ft[mine]
                out.append((m, int(p), mine[(core.start[ts] <= p) & (p < core.end[ts])]))
    return out
