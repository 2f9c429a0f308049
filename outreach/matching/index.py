"""Whole-problem indexes of the free pairs, built a chunk at a time.

At national scale there are 16 million free pairs, and every int64 array over them is 130 MB; scipy's
one-pass graph for the components took ~500 MB and one argsort 130 MB more. These builders read the
pairs ``CHUNK`` at a time instead, so their temporaries stay a few MB (tests hold each to its
whole-array version).
"""

from __future__ import annotations

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

CHUNK = 1 << 20  # free pairs per pass of a whole-problem loop: bounds its temporaries


def by_member_index(n: int, fm: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Free-pair indices ordered by member, then by pair (so by task), and CSR pointers into them:
    a stable counting sort, a chunk at a time (one argsort of 16 million pairs needs 130 MB)."""
    chunks = range(0, fm.size, CHUNK)
    degree = sum((np.bincount(fm[a : a + CHUNK], minlength=n) for a in chunks), np.zeros(n, np.int64))
    ptr = np.concatenate([[0], np.cumsum(degree)])
    order, fill = np.empty(fm.size, np.int32), ptr[:-1].copy()
    for a in chunks:
        local = np.argsort(fm[a : a + CHUNK], kind="stable")
        ms = fm[a : a + CHUNK][local]
        rank = np.arange(ms.size) - np.searchsorted(ms, ms, "left")
        order[fill[ms] + rank] = local + a
        fill += np.bincount(ms, minlength=n)
    return order, ptr


def components(n: int, n_tasks: int, fm: np.ndarray, ft: np.ndarray) -> tuple[np.ndarray, int]:
    """Connected components of the free pairs' member-task graph: a label per member (first ``n``) and
    task (-1 for those in no free pair), numbered in order of first appearance so that labels do not
    depend on scipy internals; and how many there are.

    The edges are read ``CHUNK`` at a time, each pass joining them with one edge from every node to
    a representative of its component so far, so scipy never holds the whole graph (at 16 million
    pairs the one-pass graph took ~500 MB)."""
    nodes = n + n_tasks
    rep = np.arange(nodes)
    for a in range(0, fm.size, CHUNK):
        rows = np.concatenate([fm[a : a + CHUNK], np.arange(nodes)])
        cols = np.concatenate([n + ft[a : a + CHUNK].astype(np.int64), rep])
        graph = coo_matrix((np.ones(rows.size, np.int8), (rows, cols)), shape=(nodes, nodes))
        _, labels = connected_components(graph, directed=False)
        _, first = np.unique(labels, return_index=True)
        rep = first[labels]
    labels = rep
    used = np.zeros(nodes, bool)
    used[fm] = True
    used[n + ft] = True
    uniq, first = np.unique(labels[used], return_index=True)
    rank = np.empty(uniq.size, np.int64)
    rank[np.argsort(np.flatnonzero(used)[first], kind="stable")] = np.arange(uniq.size)
    relabel = np.full(labels.max() + 1 if labels.size else 0, -1, np.int64)
    relabel[uniq] = rank
    return np.where(used, relabel[labels], -1), int(uniq.size)
