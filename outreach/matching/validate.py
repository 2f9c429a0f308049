"""Validation of the problem JSON into a :class:`~outreach.matching.model.Problem`.

Every message starts with the path of the offending record, for instance
``tasks[3] (id "t-17"): end 2030-08-01T18:00 is before start 2030-08-01T19:00``,
because the people who read it are organisers fixing a spreadsheet export.
Unknown keys are rejected: a typo such as ``max_task`` would otherwise be
silently replaced by its default and produce a plausible but wrong plan.
"""

from __future__ import annotations

import math
from typing import Any

from .model import (
    WEIGHT_DEFAULTS,
    Member,
    Problem,
    ProblemError,
    Task,
    Weights,
    id_key,
    merge_intervals,
    overlaps,
    parse_time,
    show_id,
)

_TOP_KEYS = {"weights", "members", "tasks", "pinned", "forbidden"}
_MEMBER_KEYS = {"id", "association", "skills", "interests", "availability", "max_tasks", "travels"}
_TASK_KEYS = {
    "id",
    "association",
    "start",
    "end",
    "slots",
    "required_skills",
    "preferred_skills",
    "topic",
    "priority",
}
WEIGHT_LIMIT = 1e6  # keeps every micro-unit product well inside int64


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _fail(where: str, message: str) -> ProblemError:
    return ProblemError(f"{where}: {message}")


def _check_keys(where: str, record: dict, allowed: set[str]) -> None:
    unknown = sorted(set(record) - allowed, key=str)
    if unknown:
        raise _fail(where, f"unknown key {show_id(unknown[0])} (allowed: {', '.join(sorted(allowed))})")


def _record_ids(where_list: str, items: Any, keys: set[str]) -> list[tuple[str, dict]]:
    if not isinstance(items, list):
        raise _fail(where_list, "expected a list")
    out = []
    seen: dict[Any, int] = {}
    for pos, item in enumerate(items):
        where = f"{where_list}[{pos}]"
        if not isinstance(item, dict):
            raise _fail(where, "expected an object")
        if "id" not in item:
            raise _fail(where, 'missing "id"')
        ident = item["id"]
        if isinstance(ident, bool) or not isinstance(ident, str | int):
            raise _fail(where, f"id {show_id(ident)} must be a string or an integer")
        where = f"{where} (id {show_id(ident)})"
        if id_key(ident) in seen:
            raise _fail(where, f"duplicate id, already used by {where_list}[{seen[id_key(ident)]}]")
        seen[id_key(ident)] = pos
        _check_keys(where, item, keys)
        out.append((where, item))
    return out


def _optional_str(where: str, record: dict, key: str) -> str | None:
    value = record.get(key)
    if value is not None and not isinstance(value, str):
        raise _fail(where, f"{key} must be a string or null, got {show_id(value)}")
    return value


def _str_list(where: str, record: dict, key: str) -> tuple[str, ...]:
    value = record.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _fail(where, f"{key} must be a list of strings")
    return tuple(dict.fromkeys(value))  # duplicates collapse, order kept


def _parse_weights(raw: Any) -> Weights:
    if raw is None:
        return Weights()
    if not isinstance(raw, dict):
        raise _fail("weights", "expected an object")
    _check_keys("weights", raw, set(WEIGHT_DEFAULTS))
    values = dict(WEIGHT_DEFAULTS)
    for name, value in raw.items():
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise _fail("weights", f"{name} must be a finite number, got {show_id(value)}")
        if abs(value) > WEIGHT_LIMIT:
            raise _fail("weights", f"{name} = {value} is outside [-{WEIGHT_LIMIT:g}, {WEIGHT_LIMIT:g}]")
        values[name] = float(value)
    if values["spread"] < 0:
        # A negative spread would reward piling tasks on one person; it also
        # makes the member cost concave, which the exact flow bound needs convex.
        raise _fail("weights", f"spread must be >= 0, got {values['spread']:g}")
    return Weights(**values)


def _parse_member(where: str, rec: dict) -> Member:
    skills = rec.get("skills", {})
    if not isinstance(skills, dict):
        raise _fail(where, "skills must be an object {name: level}")
    for name, level in skills.items():
        if not _is_int(level) or level < 0:
            raise _fail(
                where,
                f"skill {show_id(name)} has level {show_id(level)}, "
                "expected an integer >= 0 (1..3; 0 means none)",
            )
    intervals = []
    availability = rec.get("availability", [])
    if not isinstance(availability, list):
        raise _fail(where, "availability must be a list of [start, end] pairs")
    for pos, item in enumerate(availability):
        here = f"{where}: availability[{pos}]"
        if not isinstance(item, list) or len(item) != 2:
            raise ProblemError(f"{here}: expected [start, end]")
        start, end = _interval(here, item[0], item[1])
        intervals.append((start, end))
    max_tasks = rec.get("max_tasks", 1)
    if not _is_int(max_tasks) or max_tasks < 0:
        raise _fail(where, f"max_tasks must be an integer >= 0, got {show_id(max_tasks)}")
    travels = rec.get("travels", False)
    if not isinstance(travels, bool):
        raise _fail(where, f"travels must be true or false, got {show_id(travels)}")
    return Member(
        id=rec["id"],
        association=_optional_str(where, rec, "association"),
        skills=dict(skills),
        interests=frozenset(_str_list(where, rec, "interests")),
        availability=merge_intervals(intervals),
        max_tasks=max_tasks,
        travels=travels,
    )


def _interval(where: str, start_text: Any, end_text: Any) -> tuple[int, int]:
    try:
        start = parse_time(start_text)
    except ValueError as exc:
        raise _fail(where, f"start {exc}") from None
    try:
        end = parse_time(end_text)
    except ValueError as exc:
        raise _fail(where, f"end {exc}") from None
    if end < start:
        raise _fail(where, f"end {end_text} is before start {start_text}")
    if end == start:
        raise _fail(where, f"end {end_text} equals start; intervals must not be empty")
    return start, end


def _parse_task(where: str, rec: dict) -> Task:
    for key in ("start", "end", "slots"):
        if key not in rec:
            raise _fail(where, f"missing {show_id(key)}")
    start, end = _interval(where, rec["start"], rec["end"])
    slots = rec["slots"]
    if not _is_int(slots) or slots < 1:
        raise _fail(where, f"slots must be an integer >= 1, got {show_id(slots)}")
    priority = rec.get("priority", 1)
    if not _is_int(priority) or not 1 <= priority <= 3:
        raise _fail(where, f"priority must be 1, 2 or 3, got {show_id(priority)}")
    return Task(
        id=rec["id"],
        association=_optional_str(where, rec, "association"),
        start=start,
        end=end,
        slots=slots,
        required_skills=_str_list(where, rec, "required_skills"),
        preferred_skills=_str_list(where, rec, "preferred_skills"),
        topic=_optional_str(where, rec, "topic"),
        priority=priority,
    )


def _find(index: dict, ident: Any) -> int | None:
    if isinstance(ident, bool) or not isinstance(ident, str | int):
        return None
    return index.get(id_key(ident))


def _parse_pairs(name: str, raw: Any, mindex: dict, tindex: dict) -> list[tuple[str, int, int]]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise _fail(name, "expected a list of [member_id, task_id] pairs")
    out = []
    for pos, item in enumerate(raw):
        where = f"{name}[{pos}]"
        if not isinstance(item, list) or len(item) != 2:
            raise _fail(where, "expected [member_id, task_id]")
        where = f"{where} ({show_id(item)})"
        m_id, t_id = item
        m_pos = _find(mindex, m_id)
        if m_pos is None:
            raise _fail(where, f"unknown member id {show_id(m_id)}")
        t_pos = _find(tindex, t_id)
        if t_pos is None:
            raise _fail(where, f"unknown task id {show_id(t_id)}")
        out.append((where, m_pos, t_pos))
    return out


def parse_problem(data: Any) -> Problem:
    """Validate raw problem JSON (already decoded) and return a :class:`Problem`.

    Raises :class:`ProblemError` naming the first offending record.  Pins are
    checked for eligibility and joint feasibility here, so the solver never
    has to report "infeasible": a valid problem always has a solution.
    """
    if not isinstance(data, dict):
        raise ProblemError("problem: expected a JSON object")
    _check_keys("problem", data, _TOP_KEYS)
    for key in ("members", "tasks"):
        if key not in data:
            raise ProblemError(f"problem: missing {show_id(key)}")
    weights = _parse_weights(data.get("weights"))
    members = tuple(_parse_member(w, r) for w, r in _record_ids("members", data["members"], _MEMBER_KEYS))
    tasks = tuple(_parse_task(w, r) for w, r in _record_ids("tasks", data["tasks"], _TASK_KEYS))
    mindex = {id_key(m.id): i for i, m in enumerate(members)}
    tindex = {id_key(t.id): i for i, t in enumerate(tasks)}
    forbidden_list = _parse_pairs("forbidden", data.get("forbidden"), mindex, tindex)
    forbidden = frozenset((m, t) for _, m, t in forbidden_list)
    pinned_list = _parse_pairs("pinned", data.get("pinned"), mindex, tindex)
    problem = Problem(weights, members, tasks, (), forbidden, mindex, tindex)
    _check_pins(problem, pinned_list)
    pins = tuple(sorted({(m, t) for _, m, t in pinned_list}, key=lambda p: (p[1], p[0])))
    return Problem(weights, members, tasks, pins, forbidden, mindex, tindex)


def _check_pins(problem: Problem, pinned: list[tuple[str, int, int]]) -> None:
    from .eligibility import ineligibility_reasons  # local: eligibility imports model only

    seen: set[tuple[int, int]] = set()
    per_task: dict[int, int] = {}
    per_member: dict[int, list[int]] = {}
    for where, m, t in pinned:
        if (m, t) in seen:
            continue
        seen.add((m, t))
        reasons = ineligibility_reasons(problem, m, t)
        if any(r["code"] == "forbidden" for r in reasons):
            raise _fail(where, "pair is both pinned and forbidden")
        if reasons:
            raise _fail(where, f"pinned pair is not eligible: {'; '.join(r['message'] for r in reasons)}")
        task, member = problem.tasks[t], problem.members[m]
        per_task[t] = per_task.get(t, 0) + 1
        if per_task[t] > task.slots:
            raise _fail(where, f"more pins on task {show_id(task.id)} than its {task.slots} slot(s)")
        mine = per_member.setdefault(m, [])
        if len(mine) + 1 > member.max_tasks:
            raise _fail(where, f"more pins for member {show_id(member.id)} than max_tasks {member.max_tasks}")
        for other in mine:
            o = problem.tasks[other]
            if overlaps((o.start, o.end), (task.start, task.end)):
                raise _fail(
                    where,
                    f"member {show_id(member.id)} is pinned to overlapping tasks "
                    f"{show_id(o.id)} and {show_id(task.id)}",
                )
        mine.append(t)
