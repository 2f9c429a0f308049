"""Which member may take which task, and what the pair is worth.

Two implementations of the same rules live here on purpose:

* scalar functions (:func:`ineligibility_reasons`, :func:`score_parts`) that
  explain one pair in words, for the web app and for pin validation;
* :func:`build_pairs`, a vectorised version that lists every eligible pair of
  a district-sized problem in well under a second.  It never materialises the
  dense member x task matrix: a member can only take a task that starts inside
  one of its (merged) availability intervals, so intervals are indexed by the
  distinct task start times they contain, and each task reads its candidates
  off a sorted array.

Scores are exact integers in micro-units (see :mod:`.model`); both versions
use the same integer formula, so they agree bit for bit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .model import Problem, format_time

_BIG = 1 << 33  # exceeds any minute count up to year 9999
_CHUNK = 2_000_000  # candidate pairs handled at once, bounds temporary memory


@dataclass(frozen=True)
class Pairs:
    """Eligible pairs, sorted by task index then member index."""

    member: np.ndarray  # int32
    task: np.ndarray  # int32
    score: np.ndarray  # micro-units: int32 when the weights bound every score inside it, else int64

    def __len__(self) -> int:
        return int(self.member.size)


def ineligibility_reasons(problem: Problem, m: int, t: int) -> list[dict]:
    """Why member index ``m`` may not take task index ``t`` (empty if eligible)."""
    member, task = problem.members[m], problem.tasks[t]
    reasons: list[dict] = []
    if (m, t) in problem.forbidden:
        reasons.append({"code": "forbidden", "message": "forbidden"})
    if not any(a <= task.start and task.end <= b for a, b in member.availability):
        span = f"{format_time(task.start)} to {format_time(task.end)}"
        reasons.append({"code": "not_available", "message": f"not available {span}"})
    for skill in task.required_skills:
        if member.skills.get(skill, 0) < 1:
            reasons.append({"code": "missing_skill", "skill": skill, "message": f"missing skill {skill}"})
    if task.association is not None and task.association != member.association and not member.travels:
        reasons.append(
            {
                "code": "other_association",
                "message": f"task is for association {task.association!r}, member belongs to "
                f"{member.association!r} and does not travel",
            }
        )
    return reasons


def _skill_term(skill_micro: int, level_sum: int, n_preferred: int) -> int:
    """round(skill * level_sum / (3 * n_preferred)), half up, in exact integers."""
    if n_preferred == 0:
        return 0
    den = 3 * n_preferred
    return (2 * skill_micro * level_sum + den) // (2 * den)


def score_parts(problem: Problem, m: int, t: int) -> dict[str, int]:
    """Weighted score components of a pair in micro-units, plus ``total``."""
    w = problem.weights.micro()
    member, task = problem.members[m], problem.tasks[t]
    level_sum = sum(min(member.skills.get(s, 0), 3) for s in task.preferred_skills)
    parts = {
        "fill": w["fill"],
        "skill": _skill_term(w["skill"], level_sum, len(task.preferred_skills)),
        "interest": w["interest"] if task.topic is not None and task.topic in member.interests else 0,
        "home": w["home"] if task.association is not None and task.association == member.association else 0,
        "priority": w["priority"] * (task.priority - 1),
    }
    parts["total"] = sum(parts.values())
    return parts


def _code_table(names: list[list[str]], members_have) -> tuple[np.ndarray, np.ndarray]:
    """Per-task name codes (padded with the extra column) and a member matrix.

    ``names[t]`` lists the names a task refers to; ``members_have(name)``
    returns that name's per-member int array.  The last matrix column is a
    neutral filler so that padding needs no masking.
    """
    vocab = {name: i for i, name in enumerate(dict.fromkeys(n for row in names for n in row))}
    width = max((len(row) for row in names), default=0)
    codes = np.full((len(names), width), len(vocab), dtype=np.int32)
    for t, row in enumerate(names):
        codes[t, : len(row)] = [vocab[n] for n in row]
    columns = [members_have(name) for name in vocab]
    return codes, columns


def _empty() -> Pairs:
    return Pairs(np.zeros(0, np.int32), np.zeros(0, np.int32), np.zeros(0, np.int64))


def build_pairs(problem: Problem) -> Pairs:
    """All eligible (member, task) pairs with their scores, vectorised: first who is free for each task
    (the availability index), then, a bounded chunk of those candidates at a time, the other rules and
    the score."""
    if not problem.members or not problem.tasks:
        return _empty()
    free = _free_candidates(problem)
    if free is None:
        return _empty()
    cand_member, p0, counts = free
    tables = _Tables.of(problem)
    # The output is written into arrays sized for every candidate, then cut to what passed: pages
    # never written are never resident, and no list of chunk arrays is left behind on the heap
    # (at 16 million pairs such a list kept ~300 MB of freed heap resident).
    room = int(counts.sum())
    out_m, out_t = np.empty(room, np.int32), np.empty(room, np.int32)
    out_s = np.empty(room, _score_dtype(problem))
    size = 0
    bounds = np.searchsorted(np.cumsum(counts), np.arange(_CHUNK, room, _CHUNK))
    for c0, c1 in zip(np.r_[0, bounds], np.r_[bounds, len(problem.tasks)], strict=True):
        if c1 <= c0:
            continue
        mm, tt, score = _chunk_pairs(tables, cand_member, p0, counts, c0, c1)
        part = slice(size, size + mm.size)
        out_m[part], out_t[part], out_s[part] = mm, tt, score
        size = part.stop
    if size == 0:
        return _empty()
    return Pairs(out_m[:size], out_t[:size], out_s[:size])


def _score_dtype(problem: Problem) -> type:
    """int32 when no score can leave it (the default weights: a few times 10**7 micro-units), which
    saves 65 MB at 16 million pairs; int64 for weights near their limit. The skill term is at most the
    skill weight, the priority term the priority weight times (3 - 1)."""
    w = problem.weights.micro()
    bound = abs(w["fill"]) + abs(w["skill"]) + abs(w["interest"]) + abs(w["home"]) + 2 * abs(w["priority"])
    return np.int32 if bound < np.iinfo(np.int32).max else np.int64


def _free_candidates(problem: Problem) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """For each task, the members free for all of it, without a member x task matrix.

    Returns (cand_member, p0, counts): task t's candidates are ``cand_member[p0[t] : p0[t] + counts[t]]``.
    Each availability interval is listed once per distinct task start inside it, sorted by that start
    and then by the interval's end, latest first, so a task's candidates (a start it has, an end not
    before its own) are one contiguous run. None when nobody is free for any task."""
    members, tasks = problem.members, problem.tasks
    n_tasks = len(tasks)
    t_start = np.fromiter((t.start for t in tasks), np.int64, n_tasks)
    t_end = np.fromiter((t.end for t in tasks), np.int64, n_tasks)
    iv_member = np.fromiter((i for i, m in enumerate(members) for _ in m.availability), np.int64)
    iv_a = np.fromiter((a for m in members for a, _ in m.availability), np.int64, iv_member.size)
    iv_b = np.fromiter((b for m in members for _, b in m.availability), np.int64, iv_member.size)
    starts = np.unique(t_start)
    lo = np.searchsorted(starts, iv_a, "left")
    hi = np.searchsorted(starts, iv_b, "left")
    cnt = hi - lo
    total = int(cnt.sum())
    if total == 0:
        return None
    rep = np.repeat(np.arange(iv_member.size), cnt)
    k = lo[rep] + np.arange(total) - np.repeat(np.cumsum(cnt) - cnt, cnt)
    keys = k * _BIG + (_BIG - iv_b[rep])
    order = np.argsort(keys, kind="stable")
    keys, cand_member = keys[order], iv_member[rep[order]]
    del rep, k, order
    t_k = np.searchsorted(starts, t_start)
    p0 = np.searchsorted(keys, t_k * _BIG, "left")
    p1 = np.searchsorted(keys, t_k * _BIG + (_BIG - t_end), "right")
    return cand_member, p0, p1 - p0


@dataclass(frozen=True)
class _Tables:
    """The rest of the rules and the score's inputs as arrays indexed by member or task; skills and
    topics as per-task name codes into member columns (see `_code_table`)."""

    n: int  # members
    w: dict[str, int]
    m_assoc: np.ndarray
    t_assoc: np.ndarray  # -2: no association (anyone may take it)
    travels: np.ndarray
    req_codes: np.ndarray
    has_req: np.ndarray
    pref_codes: np.ndarray
    pref_level: np.ndarray
    n_pref: np.ndarray
    interest: np.ndarray
    topic_of: np.ndarray
    prio: np.ndarray
    forbidden: np.ndarray  # task * n + member, sorted

    @classmethod
    def of(cls, problem: Problem) -> _Tables:
        members, tasks = problem.members, problem.tasks
        n, n_tasks = len(members), len(tasks)
        assoc = {a: i for i, a in enumerate(sorted({x.association for x in (*members, *tasks)} - {None}))}
        req_codes, req_cols = _code_table(
            [list(t.required_skills) for t in tasks],
            lambda s: np.array([m.skills.get(s, 0) >= 1 for m in members], bool),
        )
        pref_codes, pref_cols = _code_table(
            [list(t.preferred_skills) for t in tasks],
            lambda s: np.array([min(m.skills.get(s, 0), 3) for m in members], np.int64),
        )
        topic_codes, topic_cols = _code_table(
            [[t.topic] if t.topic is not None else [] for t in tasks],
            lambda s: np.array([s in m.interests for m in members], bool),
        )
        return cls(
            n=n,
            w=problem.weights.micro(),
            m_assoc=np.array([assoc.get(m.association, -1) for m in members], np.int64),
            t_assoc=np.array([assoc[t.association] if t.association is not None else -2 for t in tasks],
                             np.int64),
            travels=np.array([m.travels for m in members], bool),
            req_codes=req_codes,
            has_req=np.column_stack([*req_cols, np.ones(n, bool)]),
            pref_codes=pref_codes,
            pref_level=np.column_stack([*pref_cols, np.zeros(n, np.int64)]),
            n_pref=np.array([len(t.preferred_skills) for t in tasks], np.int64),
            interest=np.column_stack([*topic_cols, np.zeros(n, bool)]),
            topic_of=topic_codes[:, 0] if topic_codes.shape[1] else np.full(n_tasks, 0, np.int32),
            prio=np.array([t.priority - 1 for t in tasks], np.int64),
            forbidden=np.array(sorted(t * n + m for m, t in problem.forbidden), np.int64),
        )


def _chunk_pairs(tb: _Tables, cand_member: np.ndarray, p0: np.ndarray, counts: np.ndarray, c0: int,
                 c1: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Tasks c0..c1's free candidates kept by the other rules (association or travels, required
    skills, not forbidden), sorted by task then member, with their scores."""
    n, w = tb.n, tb.w
    cc = counts[c0:c1]
    tt = np.repeat(np.arange(c0, c1), cc)
    pos = p0[tt] + np.arange(tt.size) - np.repeat(np.cumsum(cc) - cc, cc)
    mm = cand_member[pos]
    ok = (tb.t_assoc[tt] == -2) | (tb.m_assoc[mm] == tb.t_assoc[tt]) | tb.travels[mm]
    for j in range(tb.req_codes.shape[1]):
        ok &= tb.has_req[mm, tb.req_codes[tt, j]]
    key = tt[ok] * n + mm[ok]
    if tb.forbidden.size:
        key = key[~np.isin(key, tb.forbidden)]
    key.sort()
    tt, mm = key // n, key % n
    level_sum = np.zeros(tt.size, np.int64)
    for j in range(tb.pref_codes.shape[1]):
        level_sum += tb.pref_level[mm, tb.pref_codes[tt, j]]
    den = 3 * np.maximum(tb.n_pref[tt], 1)
    skill = np.where(tb.n_pref[tt] > 0, (2 * w["skill"] * level_sum + den) // (2 * den), 0)
    score = (
        w["fill"]
        + skill
        + w["interest"] * tb.interest[mm, tb.topic_of[tt]]
        + w["home"] * ((tb.t_assoc[tt] >= 0) & (tb.m_assoc[mm] == tb.t_assoc[tt]))
        + w["priority"] * tb.prio[tt]
    )
    return mm, tt, score
