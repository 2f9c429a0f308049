"""A member's answer through their task link: take the place, say no, or give a booked place back.

Giving back a booked place is the one answer that hurts the campaign (someone else must be found), so it
takes a second, explicit step: a release without `confirmed` changes nothing and asks for confirmation.
Every answer is safe to send twice (a double tap, a resent form): the same answer again is a no-op, so a
place is never booked or released twice. Once the shift has started the answer stands: the organizers
plan the day from it.
"""

from __future__ import annotations

import enum

import sqlalchemy as sa

from outreach.match import services as assign
from outreach.match.problem import local_now
from survey.extensions import db
from survey.models import Assignment, AssignmentStatus, Shift


class Outcome(enum.StrEnum):
    DONE = "done"  # the answer stands (new, or the same as before)
    FULL = "full"  # they wanted the place back, but it has gone to someone else meanwhile
    CONFIRM = "confirm"  # a release of a booked place that has not been confirmed yet
    OVER = "over"  # the shift has started: nothing changes any more


def started(shift: Shift) -> bool:
    return shift.start_local <= local_now()


def place_free(assignment: Assignment) -> bool:
    """Whether a member who said no could still take the place: the shift has not started and fewer
    members hold it (asked and not yet answered, or booked) than it has places."""
    if started(assignment.shift):
        return False
    holding = db.session.scalar(
        sa.select(sa.func.count()).where(
            Assignment.shift_id == assignment.shift_id,
            Assignment.id != assignment.id,
            Assignment.status.in_((AssignmentStatus.PUBLISHED, AssignmentStatus.ACCEPTED)),
        )
    )
    return holding < assignment.shift.slots


def answer(assignment: Assignment, accept: bool, confirmed: bool = False) -> Outcome:
    """Record the member's answer (flushes). A no to a booked place needs `confirmed`."""
    if started(assignment.shift):
        return Outcome.OVER
    if accept:
        # Two members who both said no may both come back for the one freed place at the same moment: the
        # shift's row lock (PostgreSQL; SQLite writes one at a time anyway) makes the second one count the
        # first one's booking, so a place is never booked twice.
        db.session.execute(sa.select(Shift.id).where(Shift.id == assignment.shift_id).with_for_update())
        return Outcome.DONE if assign.respond(assignment, True) else Outcome.FULL
    if assignment.status is AssignmentStatus.ACCEPTED and not confirmed:
        return Outcome.CONFIRM
    assign.respond(assignment, False)
    return Outcome.DONE
