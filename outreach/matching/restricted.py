"""The restricted LP of :mod:`.relax`, kept alive between rounds.

HiGHS's own Python bindings (``highspy``) keep the simplex basis when rows
or columns are added, so each column-generation or cut round re-solves
from where the last one stopped instead of from scratch.  Without
``highspy`` the LP is rebuilt and solved by scipy's copy of HiGHS.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import coo_matrix

from .core import Core, spread_columns

try:
    import highspy
except ImportError:  # pragma: no cover - scipy's HiGHS, re-solving from scratch
    highspy = None

PRIMAL_MAX = 0.002  # share of new columns up to which the primal simplex re-solves


class RestrictedLP:
    """The LP over a growing set of pair columns and cut rows.

    Rows: one per task (slots), one per member (first task free, the rest
    paid through the spread columns), then the cuts.  Columns: the spread
    columns of every member, then pair columns as they are added.
    """

    def __init__(self, core: Core) -> None:
        self.core = core
        n, n_tasks = core.n_members, core.n_tasks
        self.n_rows = n_tasks + n
        degree = core.degree
        um, ucost = spread_columns(core, np.flatnonzero(degree), degree)
        self.n_u = um.size
        self.cols = np.zeros(0, np.int64)  # free-pair index of each pair column
        self.cut_rows: list[np.ndarray] = []
        self.cut_member: list[int] = []
        self.cut_point: list[int] = []
        self.cuts_of: dict[int, list[int]] = {}
        self.last = "start"
        upper = np.concatenate([core.slots, (core.pins_of == 0).astype(np.int64)]).astype(float)
        self.h = None if highspy is None else highspy.Highs()
        self.entries: list[tuple[np.ndarray, np.ndarray]] = []  # (row, col) for the fallback
        self.costs = [ucost.astype(float)]
        self.upper = [upper]
        if self.h is not None:
            self.h.setOptionValue("output_flag", False)
            self.h.setOptionValue("presolve", "off")
            self.h.addRows(
                upper.size,
                np.full(upper.size, -np.inf),
                upper,
                0,
                np.zeros(upper.size, np.int32),
                np.zeros(0, np.int32),
                np.zeros(0),
            )
        if self.h is not None:
            self.h.addCols(
                self.n_u,
                ucost.astype(float),
                np.zeros(self.n_u),
                np.ones(self.n_u),
                self.n_u,
                np.arange(self.n_u, dtype=np.int32),
                (n_tasks + um).astype(np.int32),
                -np.ones(self.n_u),
            )
        else:
            self.entries.append((n_tasks + um, np.arange(self.n_u)))

    def add_columns(self, idx: np.ndarray) -> None:
        """Add pair columns for free pairs ``idx`` (with their cut entries)."""
        if idx.size == 0:
            return
        core = self.core
        fm, ft = core.fm[idx], core.ft[idx]
        rows = [ft, core.n_tasks + fm]
        cols = [np.arange(idx.size), np.arange(idx.size)]
        for j in np.flatnonzero(np.isin(fm, list(self.cuts_of))):
            m, t = int(fm[j]), int(ft[j])
            for q in self.cuts_of[m]:
                if core.start[t] <= self.cut_point[q] < core.end[t]:
                    rows.append(np.array([self.n_rows + q]))
                    cols.append(np.array([j]))
        rows_a, cols_a = np.concatenate(rows), np.concatenate(cols)
        order = np.argsort(cols_a, kind="stable")
        cost = -core.fs[idx].astype(float)
        if self.h is None:
            self.costs.append(cost)
            self.entries.append((rows_a[order], self.n_u + self.cols.size + cols_a[order]))
        else:
            starts = np.searchsorted(cols_a[order], np.arange(idx.size)).astype(np.int32)
            self.h.addCols(
                idx.size,
                cost,
                np.zeros(idx.size),
                np.ones(idx.size),
                rows_a.size,
                starts,
                rows_a[order].astype(np.int32),
                np.ones(rows_a.size),
            )
        self.last = "columns" if idx.size <= PRIMAL_MAX * max(self.cols.size, 1) else "many columns"
        self.cols = np.concatenate([self.cols, idx])

    def add_cuts(self, cuts: list[tuple[int, int, np.ndarray]]) -> None:
        """Add "at most one task covering point p" rows: (member, p, free pairs)."""
        if not cuts:
            return
        pos = np.full(self.core.fm.size, -1, np.int64)
        pos[self.cols] = self.n_u + np.arange(self.cols.size)
        starts, index = [], []
        for m, p, pairs in cuts:
            q = len(self.cut_rows)
            self.cut_rows.append(pairs)
            self.cut_member.append(m)
            self.cut_point.append(p)
            self.cuts_of.setdefault(m, []).append(q)
            inside = np.sort(pos[pairs][pos[pairs] >= 0])
            starts.append(sum(len(i) for i in index))
            index.append(inside)
            if self.h is None:
                self.entries.append((np.full(inside.size, self.n_rows + q), inside))
        self.upper.append(np.ones(len(cuts)))
        self.last = "cuts"
        if self.h is not None:
            flat = np.concatenate(index).astype(np.int32)
            self.h.addRows(
                len(cuts),
                np.full(len(cuts), -np.inf),
                np.ones(len(cuts)),
                flat.size,
                np.array(starts, np.int32),
                flat,
                np.ones(flat.size),
            )

    def solve(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Optimal x of the pair columns and the row duals (>= 0, max form).

        The first solve and re-solves after new cuts use the dual simplex,
        re-solves after new columns the primal simplex, both warm-started.
        """
        core = self.core
        n, n_tasks = core.n_members, core.n_tasks
        if self.n_u + self.cols.size == 0:  # nothing worth taking: all duals zero
            return np.zeros(0), np.zeros(n_tasks), np.zeros(n), np.zeros(len(self.cut_rows))
        if self.h is not None:
            self.h.setOptionValue("simplex_strategy", 4 if self.last == "columns" else 1)
            self.h.run()
            if self.h.getModelStatus() != highspy.HighsModelStatus.kOptimal:  # pragma: no cover
                status = self.h.modelStatusToString(self.h.getModelStatus())
                raise RuntimeError(f"LP relaxation failed: {status}")
            sol = self.h.getSolution()
            x = np.asarray(sol.col_value)[self.n_u :]
            duals = np.maximum(-np.asarray(sol.row_dual), 0.0)
        else:
            rows = np.concatenate([r for r, _ in self.entries])
            cols = np.concatenate([c for _, c in self.entries])
            vals = np.where(cols < self.n_u, -1.0, 1.0)
            upper = np.concatenate(self.upper)
            a = coo_matrix((vals, (rows, cols)), shape=(upper.size, self.n_u + self.cols.size)).tocsr()
            res = linprog(np.concatenate(self.costs), A_ub=a, b_ub=upper, bounds=(0, 1), method="highs-ds")
            if res.status != 0:
                raise RuntimeError(f"LP relaxation failed: {res.message}")
            x = res.x[self.n_u :]
            duals = np.maximum(-res.ineqlin.marginals, 0.0)
        return x, duals[:n_tasks], duals[n_tasks : n_tasks + n], duals[n_tasks + n :]
