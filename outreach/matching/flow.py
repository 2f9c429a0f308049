"""The overlap-free relaxation as a min-cost flow, to start the LP near its optimum.

Without the "no overlapping tasks" rule the matching LP is a min-cost flow
(source -> member -> task -> sink, one unit arc per task a member may take,
priced by the convex spread cost).  HiGHS's general simplex needs hundreds of
thousands of pivots for that LP at national scale (30,000 x 10,000: ~80 s in
five column rounds); OR-Tools' network code solves the same flow over
~200,000 arcs in one to two seconds.  Column generation again keeps the
network small: start from each task's best members, read node potentials
off the optimal flow (shortest distances in its residual graph, which has
no negative cycle exactly because the flow is optimal), price every pair
against them and add the profitable ones.

What comes out -- a reduced cost per pair and the flow's pairs -- only
chooses the LP's first columns (:mod:`.relax`).  Nothing here is trusted
for the proof: the LP re-prices every pair against its own duals, so a
stopped or imprecise flow stage costs time, never correctness; when the
network code cannot run at all (OR-Tools refuses costs whose scaled range
overflows 64 bits, possible only with weights near the allowed maximum),
:func:`flow_start` says so and the LP starts from the best scores instead.
"""

from __future__ import annotations

import numpy as np
from ortools.graph.python import min_cost_flow

from .core import Core, spread_columns

START_EXTRA = 6  # members per task beyond its slots in the first network
ROUND_EXTRA = 5  # profitable pairs per task (beyond its slots) added per round
MAX_ROUNDS = 8  # the last rounds add a handful of pairs; the LP prices the rest
_INF = np.int64(1) << 60


class _Network:
    """Arcs that never change (member units, task capacities, a bypass) plus pair arcs per round."""

    def __init__(self, core: Core) -> None:
        n, n_tasks = core.n_members, core.n_tasks
        self.core, self.sink = core, n + n_tasks + 1
        degree = core.degree
        um, ucost = spread_columns(core, np.flatnonzero(degree), degree)
        first = np.flatnonzero((degree > 0) & (core.pins_of == 0))  # a member's first task is free
        unit_m = np.concatenate([first, um])
        self.total = int(core.slots.sum())
        self.fixed_tail = np.concatenate([np.zeros(unit_m.size, np.int64), n + 1 + np.arange(n_tasks), [0]])
        self.fixed_head = np.concatenate([1 + unit_m, np.full(n_tasks, self.sink), [self.sink]])
        self.fixed_cap = np.concatenate([np.ones(unit_m.size, np.int64), core.slots, [self.total]])
        zeros = np.zeros(first.size, np.int64), np.zeros(n_tasks + 1, np.int64)
        self.fixed_cost = np.concatenate([zeros[0], ucost, zeros[1]])

    def solve(self, cols: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        """Optimal flow over pair arcs ``cols``: (pairs carrying flow, y_task, y_member), or None when
        the network code gives no optimum."""
        core, n = self.core, self.core.n_members
        tail = np.concatenate([self.fixed_tail, 1 + core.fm[cols]])
        head = np.concatenate([self.fixed_head, n + 1 + core.ft[cols]])
        cap = np.concatenate([self.fixed_cap, np.ones(cols.size, np.int64)])
        cost = np.concatenate([self.fixed_cost, -core.fs[cols]])
        net = min_cost_flow.SimpleMinCostFlow()
        net.add_arcs_with_capacity_and_unit_cost(tail, head, cap, cost)
        supply = np.zeros(self.sink + 1, np.int64)
        supply[0], supply[self.sink] = self.total, -self.total
        net.set_nodes_supplies(np.arange(self.sink + 1), supply)
        if net.solve() != net.OPTIMAL:  # feasible by the bypass arc; BAD_COST_RANGE is the one left
            return None
        flow = net.flows(np.arange(tail.size))
        dist = _distances(self.sink + 1, tail, head, cost, flow < cap, flow > 0)
        if dist is None:
            return None
        y_member = np.maximum(dist[1 : n + 1], 0)
        y_task = np.maximum(-dist[n + 1 : self.sink], 0)
        return cols[flow[self.fixed_tail.size :] > 0], y_task, y_member


def _distances(n_nodes: int, tail, head, cost, forward, backward) -> np.ndarray | None:
    """Shortest distances from node 0 in the residual graph (Bellman-Ford, one vectorised pass per
    round: at national scale about a hundred rounds of a millisecond or two), or None if they do not
    settle (a negative cycle: the flow was not optimal after all)."""
    t = np.concatenate([tail[forward], head[backward]])
    h = np.concatenate([head[forward], tail[backward]])
    c = np.concatenate([cost[forward], -cost[backward]])
    order = np.argsort(h, kind="stable")
    t, h, c = t[order], h[order], c[order]
    heads, starts = np.unique(h, return_index=True)
    dist = np.full(n_nodes, _INF, np.int64)
    dist[0] = 0
    for _ in range(n_nodes + 1):
        via = np.where(dist[t] >= _INF, _INF, dist[t] + c)
        best = np.minimum(dist[heads], np.minimum.reduceat(via, starts))
        if (best == dist[heads]).all():
            return dist
        dist[heads] = best
    return None


def flow_start(core: Core) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Node potentials of the overlap-free optimum as (y_task, y_member), and that optimum's pairs;
    None when the network code gave no optimum."""
    cols = core.select(np.zeros(core.n_tasks, np.int64), np.zeros(core.n_members, np.int64), START_EXTRA)
    network = _Network(core)
    in_net = np.zeros(core.fm.size, bool)
    for _ in range(MAX_ROUNDS):
        solved = network.solve(cols)
        if solved is None:
            return None
        chosen, y_task, y_member = solved
        in_net[cols] = True
        new = core.select(y_task, y_member, ROUND_EXTRA, above=0, exclude=in_net)
        if new.size == 0:
            break
        cols = np.union1d(cols, new)
    return y_task, y_member, chosen
