"""Typed, validated form of a matching problem.

Everything downstream works on these frozen dataclasses and on integer
indices, never on the raw JSON: validation happens once, in
:mod:`outreach.matching.validate`, and the solver can then trust its input.

Money-like exactness: all weights are converted to integer *micro-units*
(1e-6) before any arithmetic, so pair scores and the objective are exact
integers.  That makes optimality checks exact and the output reproducible
byte for byte on every platform.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

MICRO = 1_000_000

WEIGHT_DEFAULTS: dict[str, float] = {
    "fill": 10.0,
    "skill": 3.0,
    "interest": 1.0,
    "home": 2.0,
    "priority": 1.0,
    "spread": 2.0,
}

_TIME_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}")


class ProblemError(ValueError):
    """The problem is malformed or infeasible; the message names the record."""


MemberId = str | int
TaskId = str | int


def show_id(value: Any) -> str:
    """Render an id as in the input JSON (strings quoted), for messages."""
    return json.dumps(value, ensure_ascii=False)


def parse_time(text: Any) -> int:
    """Local ISO-8601 ``YYYY-MM-DDTHH:MM`` to minutes since 0001-01-01.

    Wall-clock arithmetic on purpose: a 2-hour task is 120 minutes even on a
    daylight-saving night, which is what volunteers and organisers mean.
    Raises ``ValueError`` with a short reason.
    """
    if not isinstance(text, str) or not _TIME_RE.fullmatch(text):
        raise ValueError(f"{show_id(text)} is not a time of the form YYYY-MM-DDTHH:MM")
    day = _day_number(text[:10])
    hour, minute = int(text[11:13]), int(text[14:16])
    if day is None or hour > 23 or minute > 59:
        raise ValueError(f"{show_id(text)} is not a valid date and time")
    return day * 1440 + hour * 60 + minute


@lru_cache(maxsize=4096)
def _day_number(text: str) -> int | None:
    """Ordinal of a ``YYYY-MM-DD`` date (cached: campaigns reuse few dates)."""
    try:
        return date(int(text[:4]), int(text[5:7]), int(text[8:10])).toordinal()
    except ValueError:
        return None


def format_time(minutes: int) -> str:
    """Inverse of :func:`parse_time`."""
    day, rest = divmod(int(minutes), 1440)
    when = date.fromordinal(day)
    return f"{when.year:04d}-{when.month:02d}-{when.day:02d}T{rest // 60:02d}:{rest % 60:02d}"


def to_micro(value: float) -> int:
    """Round a weight to integer micro-units (half away from zero)."""
    scaled = abs(value) * MICRO
    whole = int(scaled + 0.5)
    return whole if value >= 0 else -whole


@dataclass(frozen=True, slots=True)
class Weights:
    """Objective weights, kept both as given and in micro-units."""

    fill: float = 10.0
    skill: float = 3.0
    interest: float = 1.0
    home: float = 2.0
    priority: float = 1.0
    spread: float = 2.0

    def micro(self) -> dict[str, int]:
        return {name: to_micro(getattr(self, name)) for name in WEIGHT_DEFAULTS}


@dataclass(frozen=True, slots=True)
class Member:
    id: MemberId
    association: str | None
    skills: dict[str, int]
    interests: frozenset[str]
    availability: tuple[tuple[int, int], ...]  # merged, sorted, half-open minutes
    max_tasks: int
    travels: bool


@dataclass(frozen=True, slots=True)
class Task:
    id: TaskId
    association: str | None
    start: int
    end: int
    slots: int
    required_skills: tuple[str, ...]
    preferred_skills: tuple[str, ...]
    topic: str | None
    priority: int


@dataclass(frozen=True)
class Problem:
    """A validated problem.  ``pinned``/``forbidden`` hold (member, task) indices."""

    weights: Weights
    members: tuple[Member, ...]
    tasks: tuple[Task, ...]
    pinned: tuple[tuple[int, int], ...]
    forbidden: frozenset[tuple[int, int]]
    member_index: dict[Any, int] = field(repr=False)
    task_index: dict[Any, int] = field(repr=False)

    def member_pos(self, member_id: Any) -> int:
        """Index of a member id, or ``ProblemError``."""
        pos = _lookup(self.member_index, member_id)
        if pos is None:
            raise ProblemError(f"unknown member id {show_id(member_id)}")
        return pos

    def task_pos(self, task_id: Any) -> int:
        """Index of a task id, or ``ProblemError``."""
        pos = _lookup(self.task_index, task_id)
        if pos is None:
            raise ProblemError(f"unknown task id {show_id(task_id)}")
        return pos


def id_key(value: Any) -> tuple[str, Any]:
    """Dictionary key for an id that keeps ``1`` and ``"1"`` apart."""
    return (type(value).__name__, value)


def _lookup(index: dict[Any, int], value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    return index.get(id_key(value))


def merge_intervals(intervals: list[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    """Sort and merge touching or overlapping half-open intervals.

    Merging first is what lets a task run across two back-to-back
    availability blocks (18-20 and 20-22 cover a 19-21 task).
    """
    merged: list[list[int]] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return tuple((a, b) for a, b in merged)


def overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    """Half-open overlap: touching intervals do not overlap."""
    return a[0] < b[1] and b[0] < a[1]
