"""Build the matching engine's problem (docs/matching.md) from the database, and map its ids back to rows.

Scope: None is the whole district (every shift); an association means that association's shifts only.
Members are never narrowed by scope: every active, contactable member with a submitted profile is offered
to the engine, and its own rule (home association, or `travels`) decides who may take which shift. That
keeps one rule in one place instead of a second, slightly different one here.

What members already hold (published or accepted) is taken out first: those slots are not offered again,
the member's `max_tasks` shrinks by what they hold, and shifts overlapping a held one are forbidden to them.
A member who declined a shift is never proposed for it again.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from outreach.tasks.services import FILLING
from survey.extensions import db
from survey.models import (
    Assignment,
    AssignmentStatus,
    MatchRule,
    Member,
    MemberStatus,
    Organisation,
    Profile,
    RuleKind,
    Shift,
    Submission,
    SubmissionStatus,
    Task,
)
from survey.spec.services import STOCKHOLM

FMT = "%Y-%m-%dT%H:%M"
Pair = tuple[str, str]  # (member key, shift key), as the engine's forbidden and pinned lists have them


def member_key(member_id: int) -> str:
    return f"m{member_id}"


def shift_key(shift_id: int) -> str:
    return f"s{shift_id}"


def local_now() -> datetime:
    """Shift times are naive local wall-clock times, so "now" must be too."""
    return datetime.now(STOCKHOLM).replace(tzinfo=None, second=0, microsecond=0)


@dataclass
class Built:
    """The engine problem plus the rows behind its ids."""

    problem: dict[str, Any]
    members: dict[str, Member] = field(default_factory=dict)
    shifts: dict[str, Shift] = field(default_factory=dict)
    held: dict[int, int] = field(default_factory=dict)  # member id -> shifts they hold already
    dropped_pins: list[tuple[int, int, str]] = field(default_factory=list)  # (shift, member, why)


def latest_profiles() -> dict[int, Profile]:
    """Member id -> the profile of their most recently submitted sheet (older sheets are history)."""
    rows = db.session.execute(
        sa.select(Profile, Submission.submitted_at)
        .join(Submission, Profile.submission_id == Submission.id)
        .where(Submission.status == SubmissionStatus.SUBMITTED, Profile.member_id.is_not(None))
        .options(selectinload(Profile.skills), selectinload(Profile.tags), selectinload(Profile.intervals))
        .order_by(Submission.submitted_at, Submission.id)
    ).all()
    return {profile.member_id: profile for profile, _at in rows}  # later rows win


def scoped_shifts(
    association: Organisation | None, now: datetime | None = None, district_wide: bool = False
) -> list[Shift]:
    """Shifts in scope that have not started yet (`now` None: all of them, e.g. the demo month).
    `district_wide` adds the shifts of no association to an association's (what its organizers see)."""
    query = sa.select(Shift).join(Shift.task).options(selectinload(Shift.task).selectinload(Task.association))
    if association is not None:
        own = Task.association_id == association.id
        query = query.where(sa.or_(own, Task.association_id.is_(None)) if district_wide else own)
    if now is not None:
        query = query.where(Shift.start_local >= now)
    return list(db.session.scalars(query.order_by(Shift.start_local, Shift.id)))


def _overlaps(a: Shift, b: Shift) -> bool:
    return a.start_local < b.end_local and b.start_local < a.end_local


def build(
    association: Organisation | None = None,
    now: datetime | None = None,
    shift_ids: set[int] | None = None,
    with_rules: bool = True,
) -> Built:
    """The problem for a scope. `shift_ids` narrows the tasks further (replacements for one shift)."""
    shifts = [s for s in scoped_shifts(association, now) if shift_ids is None or s.id in shift_ids]
    taken, held_by = _holdings(now)
    built = Built(problem={})
    tasks = _task_rows(built, shifts, taken)
    members, forbidden = _member_rows(built, held_by)
    forbidden |= _declined(built)
    built.problem = {"members": members, "tasks": tasks}
    pins = _rules(built, forbidden) if with_rules else []
    built.problem["forbidden"] = sorted(map(list, forbidden))
    built.problem["pinned"] = pins
    return built


def _holdings(now: datetime | None) -> tuple[dict[int, int], dict[int, list[Shift]]]:
    """What published and accepted asks hold: places taken per shift, and per member the shifts they
    hold that are not over yet (the ones that still limit what else they can take)."""
    holding = db.session.scalars(
        sa.select(Assignment).where(Assignment.status.in_(FILLING)).options(selectinload(Assignment.shift))
    ).all()
    taken: dict[int, int] = defaultdict(int)
    held_by: dict[int, list[Shift]] = defaultdict(list)
    for a in holding:
        taken[a.shift_id] += 1
        if now is None or a.shift.end_local > now:
            held_by[a.member_id].append(a.shift)
    return taken, held_by


def _task_rows(built: Built, shifts: list[Shift], taken: dict[int, int]) -> list[dict[str, Any]]:
    """The engine's tasks: shifts with places still free, `slots` being what is free."""
    tasks = []
    for shift in shifts:
        free = shift.slots - taken[shift.id]
        if free < 1:
            continue
        task = shift.task
        key = shift_key(shift.id)
        built.shifts[key] = shift
        tasks.append(
            {
                "id": key,
                "association": task.association.slug if task.association else None,
                "start": shift.start_local.strftime(FMT),
                "end": shift.end_local.strftime(FMT),
                "slots": free,
                "required_skills": list(task.required_skills or []),
                "preferred_skills": list(task.preferred_skills or []),
                "topic": task.topic,
                "priority": task.priority if task.priority in (1, 2, 3) else 1,
            }
        )
    return tasks


def _member_rows(built: Built, held_by: dict[int, list[Shift]]) -> tuple[list[dict[str, Any]], set[Pair]]:
    """The engine's members: active, contactable, with a submitted profile; `max_tasks` less what they
    hold. Also the pairs that held shifts forbid: every shift overlapping one (the held one included)."""
    profiles = latest_profiles()
    members = db.session.scalars(
        sa.select(Member)
        .where(
            Member.id.in_(list(profiles)),
            Member.status == MemberStatus.ACTIVE,
            Member.do_not_contact.is_(False),
        )
        .options(selectinload(Member.association))
    ).all()
    forbidden: set[Pair] = set()
    rows = []
    for member in members:
        profile = profiles[member.id]
        key = member_key(member.id)
        built.members[key] = member
        held = held_by.get(member.id, [])
        built.held[member.id] = len(held)
        rows.append(
            {
                "id": key,
                "association": member.association.slug if member.association else None,
                "skills": {s.skill: s.level for s in profile.skills if s.level >= 0},
                "interests": profile.tag_keys("interest"),
                "availability": [
                    [i.start_local.strftime(FMT), i.end_local.strftime(FMT)]
                    for i in profile.intervals
                    if i.end_local > i.start_local
                ],
                "max_tasks": max(0, profile.max_tasks - len(held)),
                "travels": bool(profile.travels),
            }
        )
        for task_key, shift in built.shifts.items():
            if any(_overlaps(shift, h) for h in held):
                forbidden.add((key, task_key))
    return rows, forbidden


def _declined(built: Built) -> set[Pair]:
    """A member who declined a shift is never proposed for it again."""
    declined = db.session.execute(
        sa.select(Assignment.member_id, Assignment.shift_id).where(
            Assignment.status == AssignmentStatus.DECLINED
        )
    ).all()
    pairs = {(member_key(m), shift_key(s)) for m, s in declined}
    return {p for p in pairs if p[0] in built.members and p[1] in built.shifts}


def _rules(built: Built, forbidden: set[Pair]) -> list[list[str]]:
    """Organizers' forbids join `forbidden` (in place); their pins are kept where they can still hold.
    A pin on a pair already forbidden (a held overlapping shift, a decline) is dropped as "busy"."""
    rules = db.session.scalars(sa.select(MatchRule).order_by(MatchRule.id)).all()
    candidates = []
    for rule in rules:
        pair = (member_key(rule.member_id), shift_key(rule.shift_id))
        if pair[0] not in built.members or pair[1] not in built.shifts:
            continue
        if rule.kind is RuleKind.FORBID:
            forbidden.add(pair)
        elif pair not in forbidden:
            candidates.append((rule, pair))
        else:
            built.dropped_pins.append((rule.shift_id, rule.member_id, "busy"))
    built.problem["forbidden"] = sorted(map(list, forbidden))
    return _feasible_pins(built, candidates)


def _feasible_pins(built: Built, candidates: list[tuple[MatchRule, tuple[str, str]]]) -> list[list[str]]:
    """Keep the pins the engine can honour; a pin that became impossible (the member changed their
    availability, the shift filled up) is reported, not allowed to make the whole run fail."""
    from outreach.matching import ProblemError, explain, parse_problem  # numpy and scipy: only when used

    if not candidates:
        return []
    parsed = parse_problem(built.problem)
    slots = {t["id"]: t["slots"] for t in built.problem["tasks"]}
    capacity = {m["id"]: m["max_tasks"] for m in built.problem["members"]}
    chosen: dict[str, list[Shift]] = defaultdict(list)
    pins = []
    for rule, (m, t) in candidates:
        why = None
        if not explain(parsed, m, t)["eligible"]:
            why = "ineligible"
        elif slots[t] < 1 or capacity[m] < 1 or any(_overlaps(built.shifts[t], s) for s in chosen[m]):
            why = "conflict"
        if why:
            built.dropped_pins.append((rule.shift_id, rule.member_id, why))
            continue
        slots[t] -= 1
        capacity[m] -= 1
        chosen[m].append(built.shifts[t])
        pins.append([m, t])
    try:
        parse_problem({**built.problem, "pinned": pins})
    except ProblemError:  # should not happen; never let a pin block the run
        return []
    return pins
