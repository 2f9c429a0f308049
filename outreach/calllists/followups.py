"""A call's follow-ups: the member's task asks answered on the phone, and the organizer's queue of calls
that need someone to act (a wrong number, a member who asks not to be called).

Verbs flush and never commit, as in calllists/services.py, whose rules (who may call, the list's goal)
they share.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from outreach.calllists.services import CallListError, check_goal
from outreach.match import services as assign
from survey.core import audit
from survey.extensions import db
from survey.models import Assignment, AssignmentStatus, Call, CallList, CallTarget, Shift, User

# -- task asks on the call -------------------------------------------------------------------------------

def asks_for(member_id: int, local_now: datetime) -> list[Assignment]:
    """The member's proposed and published asks for shifts that have not started."""
    query = (sa.select(Assignment).join(Assignment.shift)
             .where(Assignment.member_id == member_id,
                    Assignment.status.in_((AssignmentStatus.PROPOSED, AssignmentStatus.PUBLISHED)),
                    Shift.start_local >= local_now)
             .options(selectinload(Assignment.shift).selectinload(Shift.task)).order_by(Shift.start_local))
    return list(db.session.scalars(query))


def answer_ask(target: CallTarget, assignment: Assignment, accept: bool, caller: User, now: datetime) -> bool:
    """The member's yes or no, said on the phone: the same `assign.respond` as their own link, marked
    "via telefon" with the caller."""
    if assignment.member_id != target.member_id:
        raise CallListError("ask")
    taken = assign.respond(assignment, accept, via="phone", by=caller)
    if taken:
        audit.record(caller, "task_answer", f"assignment:{assignment.id}",
                     association_id=target.member.association_id, via="phone",
                     answer="accept" if accept else "decline", call_list=target.call_list_id)
        check_goal(target, now)
    return taken


# -- the organizer's queue of flagged calls -----------------------------------------------------------------

def flags(call_list: CallList) -> list[Call]:
    return list(db.session.scalars(
        sa.select(Call).where(Call.call_list_id == call_list.id, Call.needs_action, Call.handled_at.is_(None))
        .options(selectinload(Call.caller), selectinload(Call.target).selectinload(CallTarget.member))
        .order_by(Call.at)))


def resolve_flag(call: Call, user: User, now: datetime) -> None:
    """Handled: the target goes back in the queue (a wrong number is taken to be corrected)."""
    call.handled_at, call.handled_by_id = now, user.id
    db.session.flush()
    still_open = db.session.scalar(sa.select(sa.func.count()).where(
        Call.target_id == call.target_id, Call.needs_action, Call.handled_at.is_(None)))
    if not still_open:
        target = call.target
        target.needs_action = False
        target.wrong_number = False
    db.session.flush()
