"""Helpers for the web app: why a pair scores what it does, and who could step in.

These use exactly the rules and integer scores of the solver, so what the
app shows as "reasons" can never disagree with what the optimiser did.
"""

from __future__ import annotations

from typing import Any

from .eligibility import build_pairs, ineligibility_reasons, score_parts
from .model import MICRO, Problem, format_time, overlaps
from .validate import parse_problem


def _as_problem(problem: dict | Problem) -> Problem:
    return problem if isinstance(problem, Problem) else parse_problem(problem)


def pair_score(problem: dict | Problem, member_id: Any, task_id: Any) -> float:
    """Score of a pair (whether or not it is eligible), rounded to micro-units."""
    prob = _as_problem(problem)
    return score_parts(prob, prob.member_pos(member_id), prob.task_pos(task_id))["total"] / MICRO


def eligible_pairs(problem: dict | Problem) -> list[dict]:
    """Every eligible pair as ``{member, task, score}``, by task then member order."""
    prob = _as_problem(problem)
    pairs = build_pairs(prob)
    return [
        {"member": prob.members[m].id, "task": prob.tasks[t].id, "score": s / MICRO}
        for m, t, s in zip(pairs.member.tolist(), pairs.task.tolist(), pairs.score.tolist(), strict=True)
    ]


def explain(problem: dict | Problem, member_id: Any, task_id: Any) -> dict:
    """Score components and eligibility of one pair, in words the app can show.

    Returns ``{member, task, eligible, reasons, score, components, details}``:
    ``reasons`` lists why the pair is ineligible (codes ``forbidden``,
    ``not_available``, ``missing_skill``, ``other_association``), empty when
    eligible; ``components`` are the weighted score terms.
    """
    prob = _as_problem(problem)
    m, t = prob.member_pos(member_id), prob.task_pos(task_id)
    member, task = prob.members[m], prob.tasks[t]
    parts = score_parts(prob, m, t)
    reasons = ineligibility_reasons(prob, m, t)
    window = next(((a, b) for a, b in member.availability if a <= task.start and task.end <= b), None)
    return {
        "member": member.id,
        "task": task.id,
        "eligible": not reasons,
        "reasons": reasons,
        "score": parts["total"] / MICRO,
        "components": {k: v / MICRO for k, v in parts.items() if k != "total"},
        "details": {
            "available": window is not None,
            "availability_window": None if window is None else [format_time(x) for x in window],
            "required_skills": {s: member.skills.get(s, 0) for s in task.required_skills},
            "preferred_skills": {s: member.skills.get(s, 0) for s in task.preferred_skills},
            "interest": task.topic is not None and task.topic in member.interests,
            "home": task.association is not None and task.association == member.association,
            "travels": member.travels,
            "pinned": (m, t) in set(prob.pinned),
            "forbidden": (m, t) in prob.forbidden,
            "max_tasks": member.max_tasks,
        },
    }


def _pairs_of(prob: Problem, assignments: Any) -> list[tuple[int, int]]:
    out = []
    for item in assignments or []:
        if isinstance(item, dict):
            out.append((prob.member_pos(item.get("member")), prob.task_pos(item.get("task"))))
        else:
            member_id, task_id = item
            out.append((prob.member_pos(member_id), prob.task_pos(task_id)))
    return out


def rank_replacements(
    problem: dict | Problem,
    task_id: Any,
    assignments: Any = (),
    *,
    exclude: Any = (),
    limit: int | None = None,
) -> list[dict]:
    """Members who could take a place on ``task_id`` now, best first.

    ``assignments`` is the current plan (``[{member, task}, ...]`` as in the
    solution, or ``[[member, task], ...]``) *without* the declined pair;
    ``exclude`` lists member ids never to propose (e.g. the one who declined).
    Candidates are eligible, not already on the task, below ``max_tasks`` and
    free at that time.  Ranked by pair score, then by the objective gain
    (score minus the spread cost of one more task), then by input order.
    """
    prob = _as_problem(problem)
    t = prob.task_pos(task_id)
    task = prob.tasks[t]
    current = _pairs_of(prob, assignments)
    skip = {prob.member_pos(x) for x in exclude}
    load: dict[int, list[int]] = {}
    for m, other in current:
        load.setdefault(m, []).append(other)
    spread = prob.weights.micro()["spread"]
    rows = []
    for m, member in enumerate(prob.members):
        mine = load.get(m, [])
        if m in skip or t in mine or len(mine) >= member.max_tasks or ineligibility_reasons(prob, m, t):
            continue
        score = score_parts(prob, m, t)["total"]
        if any(overlaps((prob.tasks[o].start, prob.tasks[o].end), (task.start, task.end)) for o in mine):
            continue
        gain = score - spread * len(mine)
        rows.append((-score, -gain, m))
    rows.sort()
    ranked = [
        {
            "member": prob.members[m].id,
            "score": -neg / MICRO,
            "gain": -neg_gain / MICRO,
            "current_tasks": len(load.get(m, [])),
        }
        for neg, neg_gain, m in rows
    ]
    return ranked if limit is None else ranked[: max(int(limit), 0)]
