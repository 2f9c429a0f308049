"""Matching as organizers use it: run the engine, keep its proposals, pin or forbid, publish, answers,
replacements. Every function flushes and never commits: the view or command commits once.

The engine (numpy, scipy, HiGHS) is imported inside the functions that call it, so that building the app
and its CLI (`kraftkartan --help`) does not load it.

Only PROPOSED rows are the engine's to replace; published, accepted and declined rows are promises made
to members and are never touched by a re-run.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from outreach.match import networks, offers, problem
from outreach.match.offers import Published, issue_token, task_url
from outreach.tasks.services import staffing
from survey.core.access import association_ids
from survey.extensions import db
from survey.models import (
    Assignment,
    AssignmentStatus,
    MatchRule,
    MatchRun,
    Member,
    Organisation,
    RuleKind,
    Shift,
    Task,
    User,
    utcnow,
)
from survey.respond import links


def manageable_shift_ids(viewer: User, association: Organisation | None) -> set[int] | None:
    """The scope's shifts the viewer may act on (publish, SMS list); None: all of them (district admins)."""
    allowed = association_ids(viewer)
    if allowed is None:
        return None
    return {s.id for s in problem.scoped_shifts(association) if s.task.association_id in allowed}


def _scope_shift_ids(association: Organisation | None) -> sa.Select:
    query = sa.select(Shift.id).join(Shift.task)
    return query if association is None else query.where(Task.association_id == association.id)


def reasons_for(detail: dict[str, Any]) -> dict[str, Any]:
    """What an organizer needs from the engine's explanation: the terms and the facts behind them."""
    return {"components": detail["components"], "details": detail["details"]}


def unfilled_reason(parsed: Any, built: problem.Built, task_key: str, eligible: set[str]) -> dict[str, Any]:
    """Why a shift still has free places: nobody free then, nobody with the required skill, nobody of the
    association (and no one travels), or all who could are already busy with other shifts."""
    from outreach.matching import explain

    if eligible:
        return {"code": "busy"}
    codes: dict[str, int] = defaultdict(int)
    missing: set[str] = set()
    available = 0
    for m in built.members:
        detail = explain(parsed, m, task_key)
        if not detail["details"]["available"]:
            continue
        available += 1
        for reason in detail["reasons"]:
            codes[reason["code"]] += 1
            if reason["code"] == "missing_skill":
                missing.add(reason["skill"])
    if not available:
        return {"code": "not_available"}
    if codes.get("missing_skill"):
        return {"code": "missing_skill", "skills": sorted(missing)}
    if codes.get("other_association"):
        return {"code": "other_association"}
    return {"code": "forbidden"}


def run(
    association: Organisation | None,
    user: User | None,
    now: datetime | None = None,
    time_limit: float | None = None,
) -> MatchRun:
    """Solve the scope and store the proposals; pins and forbids are kept, earlier proposals replaced."""
    from outreach.matching import eligible_pairs, explain, parse_problem, solve, stdout_to_stderr

    networks.sync_networks()
    built = problem.build(association, now)
    parsed = parse_problem(built.problem)
    with stdout_to_stderr():  # HiGHS's banner is no part of a web response or `kraftkartan match` output
        solution = solve(parsed, time_limit=time_limit)
    db.session.execute(
        sa.delete(Assignment).where(
            Assignment.status == AssignmentStatus.PROPOSED,
            Assignment.shift_id.in_(_scope_shift_ids(association)),
        )
    )
    eligible: dict[str, set[str]] = defaultdict(set)
    for pair in eligible_pairs(parsed):
        eligible[pair["task"]].add(pair["member"])
    unfilled = [
        {
            "shift": built.shifts[u["task"]].id,
            "missing": u["missing"],
            **unfilled_reason(parsed, built, u["task"], eligible[u["task"]]),
        }
        for u in solution["unfilled"]
    ]
    stats = {
        **solution["stats"],
        "unfilled": unfilled,
        "dropped_pins": [{"shift": s, "member": m, "why": w} for s, m, w in built.dropped_pins],
    }
    match_run = MatchRun(
        association_id=association.id if association else None,
        created_by_id=user.id if user else None,
        objective=solution["objective"],
        optimal=solution["optimal"],
        stats=stats,
    )
    db.session.add(match_run)
    db.session.flush()
    for a in solution["assignments"]:
        shift, member = built.shifts[a["task"]], built.members[a["member"]]
        db.session.add(
            Assignment(
                shift_id=shift.id,
                member_id=member.id,
                run_id=match_run.id,
                status=AssignmentStatus.PROPOSED,
                score=a["score"],
                reasons=reasons_for(explain(parsed, a["member"], a["task"])),
            )
        )
    db.session.flush()
    return match_run


def latest_run(association: Organisation | None) -> MatchRun | None:
    query = sa.select(MatchRun).order_by(MatchRun.id.desc()).limit(1)
    query = query.where(
        MatchRun.association_id.is_(None)
        if association is None
        else MatchRun.association_id == association.id
    )
    return db.session.scalar(query)


def filled_with(match_run: MatchRun, shift_ids: list[int]) -> dict[int, int]:
    """Shift id -> places filled if the run's proposals were all published: its proposals plus the
    asks already published or accepted."""
    filled = dict(db.session.execute(
        sa.select(Assignment.shift_id, sa.func.count())
        .where(Assignment.run_id == match_run.id, Assignment.shift_id.in_(shift_ids),
               Assignment.status == AssignmentStatus.PROPOSED)
        .group_by(Assignment.shift_id)).all())
    shifts = db.session.scalars(sa.select(Shift).where(Shift.id.in_(shift_ids))).all()
    for shift_id, places in staffing(shifts).items():
        filled[shift_id] = filled.get(shift_id, 0) + places.held
    return filled


# -- pins and forbids -----------------------------------------------------------------------------


def set_rule(shift: Shift, member: Member, kind: RuleKind | None) -> None:
    """Pin, forbid, or (None) clear. A forbid also withdraws the pair's proposal at once."""
    rule = db.session.scalar(
        sa.select(MatchRule).where(MatchRule.shift_id == shift.id, MatchRule.member_id == member.id)
    )
    if kind is None:
        if rule is not None:
            db.session.delete(rule)
    elif rule is None:
        db.session.add(MatchRule(shift_id=shift.id, member_id=member.id, kind=kind))
    else:
        rule.kind = kind
    if kind is RuleKind.FORBID:
        db.session.execute(
            sa.delete(Assignment).where(
                Assignment.shift_id == shift.id,
                Assignment.member_id == member.id,
                Assignment.status == AssignmentStatus.PROPOSED,
            )
        )
    db.session.flush()


def rules_by_pair(shift_ids: list[int]) -> dict[tuple[int, int], RuleKind]:
    rows = db.session.scalars(sa.select(MatchRule).where(MatchRule.shift_id.in_(shift_ids))).all()
    return {(r.shift_id, r.member_id): r.kind for r in rows}


# -- publishing and the members' answers ------------------------------------------------------------


def proposed(association: Organisation | None, shift_ids: set[int] | None = None) -> list[Assignment]:
    """The scope's proposals (`shift_ids`: only on these shifts): what a publish would turn into asks,
    so the preview and the publish itself read the same rows."""
    query = sa.select(Assignment).where(
        Assignment.status == AssignmentStatus.PROPOSED, Assignment.shift_id.in_(_scope_shift_ids(association))
    )
    if shift_ids is not None:
        query = query.where(Assignment.shift_id.in_(shift_ids))
    # The preview reads every ask's member and shift: load them with the asks, not one query each.
    query = query.options(selectinload(Assignment.member),
                          selectinload(Assignment.shift).selectinload(Shift.task))
    return list(db.session.scalars(query.order_by(Assignment.id)))


def publish(association: Organisation | None, shift_ids: set[int] | None = None) -> Published:
    """Turn the scope's proposals into asks with a fresh personal link each, and queue their emails
    (`offers`: sent once the caller has committed). `shift_ids` limits it further to the shifts the
    caller may manage."""
    result = Published()
    for assignment in proposed(association, shift_ids):
        result.links.append((assignment, task_url(issue_token(assignment))))
    for run_id in {a.run_id for a, _url in result.links if a.run_id}:
        db.session.get(MatchRun, run_id).published_at = utcnow()
    db.session.flush()
    offers.queue(result)
    return result


def offer(shift: Shift, member: Member) -> Published:
    """Ask one member directly (a replacement): a published assignment with its own link, its email
    queued like a publish's."""
    assignment = db.session.scalar(
        sa.select(Assignment).where(Assignment.shift_id == shift.id, Assignment.member_id == member.id)
    )
    if assignment is not None and assignment.status is not AssignmentStatus.PROPOSED:
        raise ValueError("already asked")
    if assignment is None:
        assignment = Assignment(shift_id=shift.id, member_id=member.id)
        db.session.add(assignment)
    result = Published()
    result.links.append((assignment, task_url(issue_token(assignment))))
    db.session.flush()
    offers.queue(result)
    return result


def by_token(token: str) -> Assignment | None:
    """The assignment a link is for; None for anything unknown or malformed (the caller answers 404)."""
    if not token or len(token) > 64:
        return None
    return db.session.scalar(sa.select(Assignment).where(Assignment.token_hash == links.hash_token(token)))


def respond(assignment: Assignment, accept: bool, via: str | None = None, by: User | None = None) -> bool:
    """Record the member's answer; the same answer twice is a no-op. Returns False when the answer cannot
    be taken: re-accepting after declining once the freed place has gone to someone else. `via` "phone"
    and `by` (the caller) when the member said it on a call list's call rather than through their link."""
    wanted = AssignmentStatus.ACCEPTED if accept else AssignmentStatus.DECLINED
    if assignment.status is wanted:
        return True
    if accept and assignment.status is AssignmentStatus.DECLINED:
        holding = db.session.scalar(
            sa.select(sa.func.count()).where(
                Assignment.shift_id == assignment.shift_id,
                Assignment.status.in_((AssignmentStatus.PUBLISHED, AssignmentStatus.ACCEPTED)),
            )
        )
        if holding >= assignment.shift.slots:
            return False
    assignment.status, assignment.responded_at = wanted, utcnow()
    assignment.responded_via, assignment.responded_by_id = via, by.id if by else None
    db.session.flush()
    return True


def replacements(shift: Shift, now: datetime | None = None, limit: int | None = 20,
                 explained: bool = True) -> list[dict[str, Any]]:
    """Who could take a free place on `shift` now, best first, by the engine's own pair score, each with
    the engine's reasons (what the organizer chooses by) unless `explained` is off."""
    from outreach.matching import explain, parse_problem, rank_replacements

    built = problem.build(None, now, shift_ids={shift.id})
    key = problem.shift_key(shift.id)
    if key not in built.shifts:
        return []  # no free place (or the shift is over)
    parsed = parse_problem(built.problem)
    ranked = rank_replacements(parsed, key, (), limit=limit)
    for r in ranked:
        r["reasons"] = reasons_for(explain(parsed, r["member"], key)) if explained else None
        r["member"] = built.members[r["member"]]
    return ranked


def replacement(shift: Shift, member_id: int, now: datetime | None = None) -> Member | None:
    """The member, if they are among those who could take a free place on `shift` now; else None."""
    found = replacements(shift, now, None, explained=False)
    return next((r["member"] for r in found if r["member"].id == member_id), None)
