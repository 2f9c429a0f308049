"""The call queue: materializing a list's targets from its filter, and handing out exactly one at a time.

The guarantee: a target is held by at most one caller. Allocation is one guarded UPDATE that only succeeds
while the target is free (or its holder's time ran out, `CALLLIST_ALLOCATION_MINUTES`):

    UPDATE call_targets SET allocated_to_id = :me, allocated_at = :now
     WHERE id = :candidate AND (allocated_to_id IS NULL OR allocated_at < :stale) AND <still ready>

and the caller checks the row count. On PostgreSQL the candidate is chosen with SELECT ... FOR UPDATE OF
call_targets SKIP LOCKED, so concurrent callers pass over each other's candidates instead of queueing
behind them; on SQLite the choice is a subquery of that same UPDATE (`WHERE id = (SELECT ... LIMIT 1)`),
run under SQLite's one writer lock, so nobody can take the candidate in between. Functions flush and never
commit (the view or command commits).

Order: due call-backs first, then members never called, then the longest since the last call; members
in their cooldown, with a call-back later, flagged for the organizer, done or closed are not handed out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.dialects import postgresql, sqlite

from survey.extensions import db
from survey.models import (
    Assignment,
    AssignmentStatus,
    CallList,
    CallTarget,
    Member,
    MemberStatus,
    User,
    call_list_associations,
)
from survey.registry import filters


def allocation_timeout() -> timedelta:
    return timedelta(minutes=float(current_app.config.get("CALLLIST_ALLOCATION_MINUTES", 15)))


def refresh_interval() -> timedelta:
    return timedelta(seconds=float(current_app.config.get("CALLLIST_REFRESH_SECONDS", 60)))


def association_ids(call_list: CallList) -> list[int]:
    return list(db.session.scalars(sa.select(call_list_associations.c.organisation_id)
                                   .where(call_list_associations.c.call_list_id == call_list.id)))


# -- materializing ------------------------------------------------------------------------------------

def goal_members(call_list: CallList, now: datetime) -> sa.Select | None:
    """Member ids for whom the list's goal is met by their data (None: the goal is "reached", which only a
    call can meet)."""
    goal = call_list.goal or {"kind": "reached"}
    kind = goal.get("kind")
    if kind == "survey" and (goal.get("survey") or call_list.survey_id):
        return filters.member_ids([{"kind": "answered", "survey": goal.get("survey") or call_list.survey_id}],
                                  None, now)
    if kind == "task":
        return sa.select(Assignment.member_id).where(Assignment.status == AssignmentStatus.ACCEPTED)
    if kind == "filter" and goal.get("filters"):
        return filters.member_ids(goal["filters"], None, now)
    return None


def refresh(call_list: CallList, now: datetime, force: bool = False) -> bool:
    """Bring the targets in line with the filter: new matches in, members who no longer match marked out,
    targets whose goal is met marked done. Runs at most once per `CALLLIST_REFRESH_SECONDS` per list
    unless forced; a conditional update elects one refresher when several callers ask at once."""
    if not force:
        last = call_list.refreshed_at
        if last is not None and last >= now - refresh_interval():
            return False  # read, not written: on SQLite even an UPDATE that changes nothing takes the lock
        claimed = db.session.execute(
            sa.update(CallList).where(CallList.id == call_list.id, sa.or_(
                CallList.refreshed_at.is_(None), CallList.refreshed_at < now - refresh_interval()))
            .values(refreshed_at=now).execution_options(synchronize_session=False))
        if claimed.rowcount != 1:
            return False
    else:
        db.session.execute(sa.update(CallList).where(CallList.id == call_list.id).values(refreshed_at=now)
                           .execution_options(synchronize_session=False))
    scope = association_ids(call_list)
    matching = filters.member_ids(call_list.filters or [], scope, now)
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    rows = sa.select(sa.literal(call_list.id), Member.id, sa.true(),
                     sa.literal(now, CallTarget.added_at.type), sa.literal(0), sa.false(), sa.false()).where(
        *filters.conditions(call_list.filters or [], scope, now))
    insert = dialect.insert(CallTarget).from_select(
        ["call_list_id", "member_id", "matches", "added_at", "calls", "needs_action", "wrong_number"], rows,
    ).on_conflict_do_nothing(index_elements=["call_list_id", "member_id"])
    db.session.execute(insert)
    mine = CallTarget.call_list_id == call_list.id
    db.session.execute(sa.update(CallTarget)
                       .where(mine, CallTarget.matches, CallTarget.member_id.not_in(matching))
                       .values(matches=False).execution_options(synchronize_session=False))
    db.session.execute(sa.update(CallTarget).where(mine, sa.not_(CallTarget.matches),
                                                   CallTarget.member_id.in_(matching))
                       .values(matches=True).execution_options(synchronize_session=False))
    done = goal_members(call_list, now)
    if done is not None:
        db.session.execute(sa.update(CallTarget).where(mine, CallTarget.done_at.is_(None),
                                                       CallTarget.member_id.in_(done))
                           .values(done_at=now, closed_at=sa.func.coalesce(CallTarget.closed_at, now))
                           .execution_options(synchronize_session=False))
    db.session.expire_all()
    return True


# -- what is ready --------------------------------------------------------------------------------------

def callable_member() -> sa.ColumnElement[bool]:
    """Never a target: do-not-contact, no phone number, left the organization (erased members are gone)."""
    return sa.and_(Member.status == MemberStatus.ACTIVE, Member.phone.is_not(None), Member.phone != "",
                   sa.not_(Member.do_not_contact))


def open_target() -> sa.ColumnElement[bool]:
    """Still to be called some time: on the list, goal not met, not closed, not waiting for the organizer."""
    return sa.and_(CallTarget.matches, CallTarget.done_at.is_(None), CallTarget.closed_at.is_(None),
                   sa.not_(CallTarget.needs_action), sa.not_(CallTarget.wrong_number))


def due(now: datetime) -> sa.ColumnElement[bool]:
    return sa.and_(sa.or_(CallTarget.callback_at.is_(None), CallTarget.callback_at <= now),
                   sa.or_(CallTarget.cooldown_until.is_(None), CallTarget.cooldown_until <= now))


def free(now: datetime) -> sa.ColumnElement[bool]:
    return sa.or_(CallTarget.allocated_to_id.is_(None), CallTarget.allocated_at < now - allocation_timeout())


def ready(call_list_id: int, now: datetime) -> list[sa.ColumnElement[bool]]:
    member_ok = sa.exists().where(Member.id == CallTarget.member_id, callable_member())
    return [CallTarget.call_list_id == call_list_id, open_target(), due(now), free(now), member_ok]


def call_order() -> list:
    """The whole queue in call order (for call sheets and counting; allocation walks `STEPS` instead)."""
    priority = sa.case((CallTarget.callback_at.is_not(None), 0), (CallTarget.last_called_at.is_(None), 1),
                       else_=2)
    return [priority, CallTarget.callback_at, CallTarget.last_called_at, CallTarget.id]


def steps(now: datetime) -> list[tuple[list[sa.ColumnElement[bool]], list]]:
    """The queue's order as three small queries, each one an ordered index scan that stops at the first
    ready row (a single ORDER BY over a priority expression would sort the whole list every time):
    due call-backs by their time, then members never called, then the longest since the last call."""
    return [
        ([CallTarget.callback_at.is_not(None), CallTarget.callback_at <= now], [CallTarget.callback_at]),
        # No ORDER BY among the never-called: any of them is as good, and the scan stops at the first
        # ready row instead of sorting every one of them (10,000 on a fresh list) on every request.
        ([CallTarget.last_called_at.is_(None)], []),
        ([CallTarget.last_called_at.is_not(None)], [CallTarget.last_called_at]),
    ]


# -- handing out ----------------------------------------------------------------------------------------

def held(call_list: CallList, user: User) -> CallTarget | None:
    """The target this caller holds on this list, if it is still theirs."""
    return db.session.scalar(sa.select(CallTarget).where(CallTarget.call_list_id == call_list.id,
                                                         CallTarget.allocated_to_id == user.id)
                             .order_by(CallTarget.allocated_at.desc()).limit(1))


def next_target(call_list: CallList, user: User, now: datetime) -> CallTarget | None:
    """Exactly one target for `user`: the one they already hold, or the first ready one, claimed
    atomically. None when nothing is ready (see `why_empty`) or the list is closed."""
    current = held(call_list, user)
    if current is not None:
        _claim(current.id, user, now, mine=True)
        db.session.refresh(current)
        return current
    if not call_list.is_open(now):
        return None
    if db.engine.dialect.name == "postgresql":
        return _next_postgres(call_list, user, now)
    return _next_sqlite(call_list, user, now)


def _next_postgres(call_list: CallList, user: User, now: datetime) -> CallTarget | None:
    # SKIP LOCKED: a row another caller is claiming right now is passed over, not waited for.
    for conditions, order in steps(now):
        query = (sa.select(CallTarget.id).where(*ready(call_list.id, now), *conditions).order_by(*order)
                 .limit(1).with_for_update(skip_locked=True, of=CallTarget))
        candidate = db.session.scalar(query)
        if candidate is not None and _claim(candidate, user, now):
            return db.session.get(CallTarget, candidate, populate_existing=True)
    return None


def _next_sqlite(call_list: CallList, user: User, now: datetime) -> CallTarget | None:
    # One statement chooses and claims: SQLite runs it under its single writer lock, so the candidate
    # cannot be taken between the choice and the claim; the guard in WHERE and the row count still say
    # whether it worked.
    for conditions, order in steps(now):
        candidate = (sa.select(CallTarget.id).where(*ready(call_list.id, now), *conditions)
                     .order_by(*order).limit(1).correlate_except(CallTarget).scalar_subquery())
        claimed = db.session.execute(
            sa.update(CallTarget).where(CallTarget.id == candidate, free(now))
            .values(allocated_to_id=user.id, allocated_at=now).returning(CallTarget.id)
            .execution_options(synchronize_session=False)).scalar()
        if claimed is not None:
            return db.session.get(CallTarget, claimed, populate_existing=True)
    return None


def _claim(target_id: int, user: User, now: datetime, mine: bool = False) -> bool:
    """The guarded update: True when `user` now holds the target."""
    guard = (CallTarget.allocated_to_id == user.id) if mine else free(now)
    conditions = [CallTarget.id == target_id, guard]
    if not mine:
        conditions += ready(CallTarget.call_list_id, now)[1:]  # still ready: nobody called them meanwhile
    result = db.session.execute(sa.update(CallTarget).where(*conditions)
                                .values(allocated_to_id=user.id, allocated_at=now)
                                .execution_options(synchronize_session=False))
    return result.rowcount == 1


def release(target: CallTarget, user: User) -> None:
    """Give the target back (the caller is done for now); only the holder can."""
    db.session.execute(sa.update(CallTarget).where(CallTarget.id == target.id,
                                                   CallTarget.allocated_to_id == user.id)
                       .values(allocated_to_id=None, allocated_at=None)
                       .execution_options(synchronize_session=False))
    db.session.expire(target)


# -- an empty queue, explained --------------------------------------------------------------------------

@dataclass
class Empty:
    reason: str  # "closed", "not_open_yet", "cooldown", "callbacks", "busy", "done", "nobody"
    at: datetime | None = None  # when the next one comes back (call-back or cooldown end), or opens


def why_empty(call_list: CallList, now: datetime) -> Empty:
    if call_list.opens_at is not None and now < call_list.opens_at:
        return Empty("not_open_yet", call_list.opens_at)
    if not call_list.is_open(now):
        return Empty("closed", call_list.closes_at)
    waiting = sa.and_(CallTarget.call_list_id == call_list.id, open_target(),
                      sa.exists().where(Member.id == CallTarget.member_id, callable_member()))
    callback = db.session.scalar(sa.select(sa.func.min(CallTarget.callback_at))
                                 .where(waiting, CallTarget.callback_at > now))
    cooldown = db.session.scalar(sa.select(sa.func.min(CallTarget.cooldown_until))
                                 .where(waiting, CallTarget.cooldown_until > now))
    if callback is not None and (cooldown is None or callback <= cooldown):
        return Empty("callbacks", callback)
    if cooldown is not None:
        return Empty("cooldown", cooldown)
    busy = db.session.scalar(sa.select(sa.func.count()).where(waiting, sa.not_(free(now))))
    if busy:
        return Empty("busy")
    total = db.session.scalar(sa.select(sa.func.count()).where(CallTarget.call_list_id == call_list.id,
                                                               CallTarget.matches))
    return Empty("done" if total else "nobody")
