"""The residual problem left after pins, shared by every solving stage.

Pins are taken out of the optimisation instead of being forced inside it:
their task slots and member capacity are consumed, every other task of the
member that overlaps a pinned one is dropped, and the member's spread cost
for further tasks starts at the pinned count.  What is left ("free pairs")
is a smaller problem with no equality constraints, whose optimum plus the
pins' fixed contribution is the optimum of the original problem.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from .eligibility import Pairs
from .model import Problem


@dataclass
class Core:
    problem: Problem
    pairs: Pairs
    spread: int  # micro-units per unit of n(n-1)/2
    pin_idx: np.ndarray  # indices into pairs of pinned pairs
    pins_of: np.ndarray  # pinned tasks per member
    cap: np.ndarray  # remaining capacity per member
    slots: np.ndarray  # remaining slots per task
    start: np.ndarray  # task start minutes
    end: np.ndarray
    free: np.ndarray  # indices into pairs of free pairs
    fm: np.ndarray  # member of each free pair
    ft: np.ndarray  # task of each free pair
    fs: np.ndarray  # score of each free pair (micro, int64)
    by_member: np.ndarray  # free-pair indices sorted by member
    member_ptr: np.ndarray  # CSR pointers into by_member
    comp_member: np.ndarray  # component label per member, -1 if no free pair
    comp_task: np.ndarray
    comp_pair: np.ndarray  # component label per free pair
    n_comp: int

    @property
    def n_members(self) -> int:
        return len(self.problem.members)

    @property
    def n_tasks(self) -> int:
        return len(self.problem.tasks)

    def member_pairs(self, m: int) -> np.ndarray:
        """Free-pair indices of member ``m``, ordered by task index."""
        return self.by_member[self.member_ptr[m] : self.member_ptr[m + 1]]

    def extra_cost(self, m: int, k: int) -> int:
        """Marginal spread cost of the member's ``k``-th free task (k >= 1)."""
        return self.spread * (int(self.pins_of[m]) + k - 1)

    def value(self, chosen: np.ndarray) -> int:
        """Exact objective (micro) of the pins plus the chosen free pairs."""
        counts = self.pins_of + np.bincount(self.fm[chosen], minlength=self.n_members)
        cost = sum(int(c) * (int(c) - 1) // 2 for c in counts if c > 1) * self.spread
        pins = int(self.pairs.score[self.pin_idx].sum(dtype=np.int64))
        return pins + int(self.fs[chosen].sum(dtype=np.int64)) - cost


def pair_lookup(pairs: Pairs, n_members: int, members: np.ndarray, tasks: np.ndarray) -> np.ndarray:
    """Indices into ``pairs`` of (member, task) pairs, -1 where not eligible."""
    keys = pairs.task.astype(np.int64) * n_members + pairs.member
    want = np.asarray(tasks, np.int64) * n_members + np.asarray(members, np.int64)
    pos = np.searchsorted(keys, want)
    pos_ok = np.minimum(pos, max(keys.size - 1, 0))
    found = (pos < keys.size) & (keys[pos_ok] == want) if keys.size else np.zeros(want.size, bool)
    return np.where(found, pos, -1)


def build_core(problem: Problem, pairs: Pairs) -> Core:
    """Take the pins out and index the free pairs by member and component."""
    n, n_tasks = len(problem.members), len(problem.tasks)
    start = np.array([t.start for t in problem.tasks], np.int64)
    end = np.array([t.end for t in problem.tasks], np.int64)
    pm = np.array([m for m, _ in problem.pinned], np.int64)
    pt = np.array([t for _, t in problem.pinned], np.int64)
    pin_idx = pair_lookup(pairs, n, pm, pt)
    assert (pin_idx >= 0).all(), "validation guarantees pinned pairs are eligible"
    pins_of = np.bincount(pm, minlength=n).astype(np.int64)
    cap = np.array([m.max_tasks for m in problem.members], np.int64) - pins_of
    slots = np.array([t.slots for t in problem.tasks], np.int64) - np.bincount(pt, minlength=n_tasks)

    keep = (cap[pairs.member] > 0) & (slots[pairs.task] > 0)
    keep[pin_idx] = False
    if pin_idx.size:
        _drop_pin_overlaps(keep, pairs, pm, pt, pins_of, start, end)
    free = np.flatnonzero(keep)
    fm = pairs.member[free].astype(np.int64)
    ft = pairs.task[free].astype(np.int64)
    by_member = np.lexsort((ft, fm))
    member_ptr = np.searchsorted(fm[by_member], np.arange(n + 1))
    comp, n_comp = _components(n, n_tasks, fm, ft)
    return Core(
        problem,
        pairs,
        problem.weights.micro()["spread"],
        pin_idx,
        pins_of,
        cap,
        slots,
        start,
        end,
        free,
        fm,
        ft,
        pairs.score[free].astype(np.int64),
        by_member,
        member_ptr,
        comp[:n],
        comp[n:],
        comp[fm],
        n_comp,
    )


def _drop_pin_overlaps(keep: np.ndarray, pairs: Pairs, pm: np.ndarray, pt: np.ndarray, pins_of: np.ndarray,
                       start: np.ndarray, end: np.ndarray) -> None:
    """Clear ``keep`` for pairs whose task overlaps a task the same member is pinned to."""
    n = pins_of.size
    cand = np.flatnonzero(keep & (pins_of[pairs.member] > 0))
    order = np.argsort(pm, kind="stable")
    ptr = np.searchsorted(pm[order], np.arange(n + 1))
    for i in cand:
        m, t = pairs.member[i], pairs.task[i]
        mine = pt[order[ptr[m] : ptr[m + 1]]]
        if ((start[mine] < end[t]) & (start[t] < end[mine])).any():
            keep[i] = False


def _components(n: int, n_tasks: int, fm: np.ndarray, ft: np.ndarray) -> tuple[np.ndarray, int]:
    """Connected components of the free pairs' member-task graph: a label per member (first ``n``) and
    task (-1 for those in no free pair), numbered in order of first appearance so that labels do not
    depend on scipy internals; and how many there are."""
    graph = coo_matrix((np.ones(fm.size), (fm, n + ft)), shape=(n + n_tasks,) * 2)
    _, labels = connected_components(graph, directed=False)
    used = np.zeros(n + n_tasks, bool)
    used[fm] = True
    used[n + ft] = True
    uniq, first = np.unique(labels[used], return_index=True)
    rank = np.empty(uniq.size, np.int64)
    rank[np.argsort(np.flatnonzero(used)[first], kind="stable")] = np.arange(uniq.size)
    relabel = np.full(labels.max() + 1 if labels.size else 0, -1, np.int64)
    relabel[uniq] = rank
    return np.where(used, relabel[labels], -1), int(uniq.size)


def spread_columns(core: Core, members: np.ndarray, degree: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Spread-cost columns of ``members``: (member, marginal cost in micro) per column.

    A member's k-th free task costs ``spread * (pins + k - 1)``; the first one
    is free when the member has no pin (it is covered by the member row's
    right-hand side 1).  Columns run up to ``min(cap, degree)`` tasks.
    """
    k0 = np.where(core.pins_of[members] == 0, 2, 1)
    top = np.minimum(core.cap[members], degree[members])
    count = np.maximum(top - k0 + 1, 0)
    um = np.repeat(members, count)
    k = np.repeat(k0, count) + np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
    return um, core.spread * (core.pins_of[um] + k - 1)


def maximal_cliques(starts: np.ndarray, ends: np.ndarray) -> list[np.ndarray]:
    """Maximal sets of pairwise overlapping half-open intervals (a sweep).

    "No two overlapping tasks" for one member is exactly "at most one task
    from each of these sets", which is a much tighter formulation than one
    constraint per overlapping pair.  Returns positions into the inputs.
    """
    events = sorted(
        [(int(e), 0, i) for i, e in enumerate(ends)] + [(int(s), 1, i) for i, s in enumerate(starts)]
    )
    active: dict[int, None] = {}
    out: list[np.ndarray] = []
    grew = False
    for _, kind, i in events:
        if kind == 1:
            active[i] = None
            grew = True
        else:
            if grew and len(active) > 1:
                out.append(np.array(sorted(active), np.int64))
            grew = False
            del active[i]
    return out


def greedy(core: Core, order: np.ndarray) -> np.ndarray:
    """Greedy fill over free pairs in the given order; returns chosen indices.

    Takes a pair when the task has a slot, the member has capacity and no
    overlapping task, and the pair still pays for its marginal spread cost.
    Used as the lower bound inside the exact method and as the benchmark
    baseline.
    """
    slots = core.slots.copy()
    count = np.zeros(core.n_members, np.int64)
    busy: dict[int, list[int]] = {}
    chosen = []
    fm, ft, fs, start, end = core.fm, core.ft, core.fs, core.start, core.end
    for i in order.tolist():
        m, t = int(fm[i]), int(ft[i])
        if slots[t] <= 0 or count[m] >= core.cap[m]:
            continue
        if fs[i] - core.extra_cost(m, int(count[m]) + 1) <= 0:
            continue
        mine = busy.setdefault(m, [])
        if any(start[o] < end[t] and start[t] < end[o] for o in mine):
            continue
        mine.append(t)
        slots[t] -= 1
        count[m] += 1
        chosen.append(i)
    return np.array(sorted(chosen), np.int64)
