"""Call lists as organizers and callers use them: lists, callers, outcomes (task answers by phone and the
organizer's flags: calllists/followups.py).

Verbs flush and never commit: the view or command commits once. Who may do what is decided here too
(`can_manage`, `may_call`), so the views, the CLI and the tests share one rule:

- admins manage every list; an organizer manages a list when every association it covers is theirs;
- a list's callers, and those who manage it, may call from it; nobody else learns that it exists.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from outreach.calllists import queue
from survey.core import audit
from survey.core.access import association_ids
from survey.extensions import db
from survey.i18n import N_
from survey.models import (
    Call,
    CallList,
    CallTarget,
    Organisation,
    Role,
    Submission,
    SubmissionStatus,
    User,
    call_list_associations,
    call_list_callers,
)
from survey.registry import filters

# Outcome key -> label (Swedish msgid, translated where shown). The order is the buttons' order.
OUTCOMES: dict[str, str] = {
    "reached": N_("Nådd"),
    "no_answer": N_("Inget svar"),
    "busy": N_("Upptaget"),
    "call_back": N_("Ring tillbaka senare"),
    "not_available": N_("Kan inte prata nu"),
    "left_message": N_("Lämnade meddelande"),
    "wrong_number": N_("Fel nummer"),
    "do_not_call": N_("Ring inte igen"),
}
# Calls without contact start the list's cooldown; the member is called again after it.
NO_CONTACT = frozenset({"no_answer", "busy", "not_available", "left_message"})
SKIP_MINUTES = 30  # a skipped member goes back in the queue, not straight to the next caller
GOALS = ("reached", "survey", "task", "filter")
SCRIPT_NAME = ("{förnamn}", "{fornamn}", "{first_name}")


class CallListError(ValueError):
    """Something the organizer or caller has to fix; `code` names it for the message."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


# -- who may do what ------------------------------------------------------------------------------------

def list_association_ids(call_list: CallList) -> set[int]:
    return {org.id for org in call_list.associations}


def can_manage(user: User, call_list: CallList) -> bool:
    allowed = association_ids(user)
    if allowed is None:
        return True
    covered = list_association_ids(call_list)
    return user.role is Role.ORGANIZER and bool(covered) and covered <= allowed


def may_call(user: User, call_list: CallList) -> bool:
    return any(c.id == user.id for c in call_list.callers) or can_manage(user, call_list)


def managed_lists(user: User) -> list[CallList]:
    query = (sa.select(CallList).options(selectinload(CallList.associations))
             .order_by(CallList.created_at.desc()))
    return [c for c in db.session.scalars(query) if can_manage(user, c)]


def caller_lists(user: User) -> list[CallList]:
    """The lists `user` is a caller on (what the caller start page shows)."""
    query = (sa.select(CallList).join(call_list_callers, call_list_callers.c.call_list_id == CallList.id)
             .where(call_list_callers.c.user_id == user.id).order_by(CallList.title))
    return list(db.session.scalars(query))


# -- lists -------------------------------------------------------------------------------------------------

@dataclass
class ListInput:
    title: str
    associations: list[Organisation]
    instructions: str | None = None
    script: str | None = None
    survey_id: int | None = None
    filters: list[dict[str, Any]] = field(default_factory=list)
    goal: dict[str, Any] = field(default_factory=lambda: {"kind": "reached"})
    cooldown_hours: int = 24
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    show_email: bool = False
    show_address: bool = False
    show_birth_year: bool = False


def save_list(data: ListInput, user: User | None, now: datetime,
              call_list: CallList | None = None) -> CallList:
    """Create or change a list; its targets are refreshed from the (new) filter at once. `user` None: the
    command line, which may use any association."""
    if not data.title.strip():
        raise CallListError("title")
    if not data.associations:
        raise CallListError("associations")
    allowed = association_ids(user) if user is not None else None
    if allowed is not None and not {a.id for a in data.associations} <= allowed:
        raise CallListError("associations")
    if data.goal.get("kind") not in GOALS:
        raise CallListError("goal")
    if data.opens_at and data.closes_at and data.closes_at <= data.opens_at:
        raise CallListError("times")
    try:
        checked = filters.validate(data.filters, now)
        if data.goal.get("kind") == "filter":
            filters.validate(data.goal.get("filters") or [], now)
    except filters.FilterError:
        raise CallListError("filter") from None
    if call_list is None:
        call_list = CallList(created_by_id=user.id if user else None)
        db.session.add(call_list)
    for name in ("instructions", "script", "survey_id", "goal", "cooldown_hours", "opens_at", "closes_at",
                 "show_email", "show_address", "show_birth_year"):
        setattr(call_list, name, getattr(data, name))
    call_list.title = data.title.strip()
    call_list.filters = checked
    call_list.cooldown_hours = max(0, int(data.cooldown_hours))
    call_list.associations = list(data.associations)
    db.session.flush()
    queue.refresh(call_list, now, force=True)
    return call_list


def script_for(call_list: CallList, first_name: str) -> str:
    text = call_list.script or ""
    for marker in SCRIPT_NAME:
        text = text.replace(marker, first_name)
    return text


# -- callers ------------------------------------------------------------------------------------------------

def add_caller(call_list: CallList, user: User) -> None:
    """An existing organizer or caller account; organizers must belong to one of the list's associations
    (they would otherwise see members outside their own)."""
    if not user.active:
        raise CallListError("inactive")
    if user.role is Role.ADMIN:
        raise CallListError("admin")  # admins call from any list already
    own = {o.id for o in user.associations}
    if user.role is Role.ORGANIZER and not (own & list_association_ids(call_list)):
        raise CallListError("other_association")
    if user not in call_list.callers:
        call_list.callers.append(user)
    db.session.flush()


def remove_caller(call_list: CallList, user: User) -> None:
    if user in call_list.callers:
        call_list.callers.remove(user)
    db.session.execute(sa.update(CallTarget).where(CallTarget.call_list_id == call_list.id,
                                                   CallTarget.allocated_to_id == user.id)
                       .values(allocated_to_id=None, allocated_at=None)
                       .execution_options(synchronize_session=False))
    db.session.flush()


# -- a call ----------------------------------------------------------------------------------------------

def show_target(target: CallTarget, caller: User) -> None:
    """Every target shown to a caller is in the audit log (who saw which member's answers, and when)."""
    audit.record(caller, "view", f"call_target:{target.id}", rows=1,
                 association_id=target.member.association_id, call_list=target.call_list_id,
                 member=target.member_id)


def history(target: CallTarget) -> list[Call]:
    return list(db.session.scalars(sa.select(Call).where(Call.target_id == target.id)
                                   .options(selectinload(Call.caller)).order_by(Call.at.desc())))


def record_outcome(target: CallTarget, caller: User, outcome: str, now: datetime, *, note: str | None = None,
                   callback_at: datetime | None = None, needs_action: bool = False,
                   message: str | None = None) -> Call:
    """Store the call and move the target on: cooldown, call-back, closed or done; the caller's hold ends."""
    if outcome not in OUTCOMES:
        raise CallListError("outcome")
    if outcome == "call_back" and (callback_at is None or callback_at <= now):
        raise CallListError("callback_at")
    if needs_action and not (message or "").strip():
        raise CallListError("message")
    call_list = target.call_list
    call = Call(call_list_id=target.call_list_id, target_id=target.id, member_id=target.member_id,
                caller_id=caller.id, outcome=outcome, note=(note or "").strip() or None, at=now,
                callback_at=callback_at if outcome == "call_back" else None,
                needs_action=needs_action or outcome == "wrong_number",
                action_message=(message or "").strip() or None)
    db.session.add(call)
    values: dict[str, Any] = {"calls": CallTarget.calls + 1, "last_called_at": now, "last_outcome": outcome,
                              "callback_at": None, "cooldown_until": None}
    if outcome in NO_CONTACT:
        values["cooldown_until"] = now + timedelta(hours=call_list.cooldown_hours)
    elif outcome == "call_back":
        values["callback_at"] = callback_at
    elif outcome in ("reached", "do_not_call"):
        values["closed_at"] = now
    if outcome == "wrong_number":
        values["wrong_number"] = True
    if needs_action:
        values["needs_action"] = True
    if outcome == "reached" and (call_list.goal or {}).get("kind", "reached") == "reached":
        values["done_at"] = now
    db.session.execute(sa.update(CallTarget).where(CallTarget.id == target.id).values(**values)
                       .execution_options(synchronize_session=False))
    queue.release(target, caller)
    if outcome == "do_not_call":
        object_to_calls(target, caller)
    db.session.flush()
    check_goal(target, now)
    return call


def object_to_calls(target: CallTarget, caller: User) -> None:
    """The member's right to object: no more calls or messages from anyone, on any list."""
    member = target.member
    if not member.do_not_contact:
        member.do_not_contact = True
        audit.record(caller, "do_not_contact", f"member:{member.id}", association_id=member.association_id,
                     via="phone", call_list=target.call_list_id)


def skip(target: CallTarget, caller: User, now: datetime) -> None:
    """Not this one now: back in the queue after a short while, so the next caller does not get it at once."""
    db.session.execute(sa.update(CallTarget).where(CallTarget.id == target.id,
                                                   CallTarget.allocated_to_id == caller.id)
                       .values(cooldown_until=sa.func.coalesce(CallTarget.cooldown_until,
                                                               now + timedelta(minutes=SKIP_MINUTES)))
                       .execution_options(synchronize_session=False))
    queue.release(target, caller)


def check_goal(target: CallTarget, now: datetime) -> bool:
    """Mark the target done when the member's data now meets the list's goal (a survey answered by phone,
    a task accepted on the call)."""
    db.session.refresh(target)
    if target.done_at is not None:
        return True
    goal = queue.goal_members(target.call_list, now)
    if goal is None:
        return False
    met = db.session.scalar(sa.select(sa.literal(target.member_id).in_(goal)))
    if met:
        target.done_at = now
        target.closed_at = target.closed_at or now
        db.session.flush()
    return bool(met)


def latest_submission(member_id: int, survey_id: int | None) -> Submission | None:
    query = sa.select(Submission).where(Submission.member_id == member_id,
                                        Submission.status == SubmissionStatus.SUBMITTED)
    if survey_id is not None:
        query = query.where(Submission.survey_id == survey_id)
    return db.session.scalar(query.order_by(Submission.submitted_at.desc()).limit(1))


def lists_covering(association_id: int) -> sa.Select:
    return sa.select(call_list_associations.c.call_list_id).where(
        call_list_associations.c.organisation_id == association_id)
