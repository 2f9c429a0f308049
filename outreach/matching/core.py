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

from .eligibility import Pairs
from .index import CHUNK, by_member_index, components
from .model import Problem

NO_CUTS = (np.zeros(0, np.int64), np.zeros(0))  # (pairs, duals) of no cut


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
    free: np.ndarray | None  # indices into pairs of free pairs (int32, like every per-pair index
    # here); None when every pair is free
    fm: np.ndarray  # member of each free pair
    ft: np.ndarray  # task of each free pair (ascending: pairs come sorted by task)
    fs: np.ndarray  # score of each free pair (micro; int32 or int64, see eligibility._score_dtype)
    by_member: np.ndarray  # free-pair indices sorted by member
    member_ptr: np.ndarray  # CSR pointers into by_member
    comp_member: np.ndarray  # component label per member, -1 if no free pair
    comp_task: np.ndarray
    comp_pair: np.ndarray  # component label per free pair (the smallest unsigned type that holds them)
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

    def pair_index(self, chosen: np.ndarray) -> np.ndarray:
        """Indices into ``pairs`` of the free pairs ``chosen``."""
        return chosen if self.free is None else self.free[chosen]

    @property
    def degree(self) -> np.ndarray:
        """Free pairs per member."""
        return np.diff(self.member_ptr)

    def extra_cost(self, m: int, k: int) -> int:
        """Marginal spread cost of the member's ``k``-th free task (k >= 1)."""
        return self.spread * (int(self.pins_of[m]) + k - 1)

    def chunks(self):
        """Slices of the free pairs, whole tasks each, about ``CHUNK`` pairs long."""
        size = self.fm.size
        a = 0
        while a < size:
            b = min(a + CHUNK, size)
            if b < size:  # extend to the end of the task that straddles the cut
                b = int(np.searchsorted(self.ft, self.ft[b - 1], "right"))
            yield slice(a, b)
            a = b

    def reduced_at(self, idx: np.ndarray, y_task, y_member, minus_idx, minus) -> np.ndarray:
        """Reduced profit of the free pairs ``idx``: ``score - y_task - y_member - extra``, where
        ``extra`` sums the ``minus`` listed at the free pairs ``minus_idx`` (the cuts'); both
        ascending."""
        d = (self.fs[idx] - y_task[self.ft[idx]] - y_member[self.fm[idx]]).astype(float)
        pos = np.searchsorted(idx, minus_idx)
        hit = (pos < idx.size) & (idx[np.minimum(pos, idx.size - 1)] == minus_idx)
        np.subtract.at(d, pos[hit], minus[hit])
        return d

    def _chunk_reduced(self, part: slice, y_task, y_member, minus_idx, minus) -> np.ndarray:
        d = self.fs[part] - y_task[self.ft[part]] - y_member[self.fm[part]]
        lo, hi = np.searchsorted(minus_idx, [part.start, part.stop])
        if hi > lo:
            d = d.astype(np.result_type(d, minus))
            np.subtract.at(d, minus_idx[lo:hi] - part.start, minus[lo:hi])
        return d

    def select(self, y_task, y_member, extra: int, *, above: float = -np.inf, exclude=None,
               minus=NO_CUTS) -> np.ndarray:
        """Per task, the ``slots + extra`` free pairs of positive score with the highest reduced profit
        (see :meth:`reduced_at`) that is above ``above`` and not ``exclude``-d, ties to the lower
        index; ascending. Whole tasks a chunk at a time: the pricing of 16 million pairs never holds
        a whole-problem array (a pair with a non-positive score never helps)."""
        out = []
        for part in self.chunks():
            d = self._chunk_reduced(part, y_task, y_member, *minus)
            ok = (self.fs[part] > 0) & (d > above)
            if exclude is not None:
                ok &= ~exclude[part]
            cand = np.flatnonzero(ok)
            if cand.size == 0:
                continue
            order = np.lexsort((cand, -d[cand], self.ft[part][cand]))
            cand = cand[order]
            tasks = self.ft[part][cand]
            rank = np.arange(cand.size) - np.searchsorted(tasks, tasks, "left")
            out.append(np.sort(cand[rank < self.slots[tasks] + extra]) + part.start)
        return np.concatenate(out) if out else np.zeros(0, np.int64)

    def positive_reduced_per_component(self, y_task, y_member, minus_idx, minus) -> np.ndarray:
        """Per component, the sum of the positive reduced profits (see :meth:`reduced_at`) of its free
        pairs, a chunk at a time."""
        out = np.zeros(self.n_comp)
        for part in self.chunks():
            d = self._chunk_reduced(part, y_task, y_member, minus_idx, minus)
            out += np.bincount(self.comp_pair[part], np.maximum(d, 0), self.n_comp)
        return out

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

    keep = (cap > 0)[pairs.member] & (slots > 0)[pairs.task]  # bool lookups: no int64 per pair
    keep[pin_idx] = False
    if pin_idx.size:
        _drop_pin_overlaps(keep, pairs, pm, pt, pins_of, start, end)
    # int32 indices and, when nothing is dropped, views of the pairs: at 30,000 x 10,000 (16 million
    # pairs) every int64 copy is 130 MB.
    whole = bool(keep.all())
    free = None if whole else np.flatnonzero(keep).astype(np.int32)
    fm = pairs.member if whole else pairs.member[free]
    ft = pairs.task if whole else pairs.task[free]
    by_member, member_ptr = by_member_index(n, fm)
    comp, n_comp = components(n, n_tasks, fm, ft)
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
        pairs.score if whole else pairs.score[free],
        by_member,
        member_ptr,
        comp[:n],
        comp[n:],
        np.maximum(comp, 0).astype(np.min_scalar_type(n_comp))[fm],  # one component: a byte a pair
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
        if int(fs[i]) - core.extra_cost(m, int(count[m]) + 1) <= 0:
            continue
        mine = busy.setdefault(m, [])
        if any(start[o] < end[t] and start[t] < end[o] for o in mine):
            continue
        mine.append(t)
        slots[t] -= 1
        count[m] += 1
        chosen.append(i)
    return np.array(sorted(chosen), np.int64)
