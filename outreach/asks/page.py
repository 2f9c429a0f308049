"""What a member sees behind their task link: the task, where their answer stands, whom to ask, and the
tasks they have already said yes to (with their own calendar feed). Nothing about other members."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from outreach.asks import services as answers
from outreach.tasks import ics, vocabulary
from survey.extensions import db
from survey.models import Assignment, AssignmentStatus, MatchRun, Role, Shift, Task, User, user_associations


@dataclass
class AskPage:
    assignment: Assignment
    kind: str  # the task's kind, as a label
    confirmed: list[Assignment]  # the member's accepted tasks, soonest first
    feed_url: str
    full: bool  # they tried to accept a place that has gone to someone else meanwhile
    contact: User | None  # whom the member can write to about the task
    started: bool  # the shift has begun: the answer can no longer change
    can_change_mind: bool  # they said no, and the place is still free for them

    @property
    def task(self) -> Task:
        return self.assignment.shift.task

    @property
    def shift(self) -> Shift:
        return self.assignment.shift

    @property
    def accepted(self) -> bool:
        return self.assignment.status is AssignmentStatus.ACCEPTED

    @property
    def declined(self) -> bool:
        return self.assignment.status is AssignmentStatus.DECLINED

    @property
    def unanswered(self) -> bool:
        return self.assignment.status is AssignmentStatus.PUBLISHED


def contact(assignment: Assignment) -> User | None:
    """The task has no contact field of its own, so: the first active organizer of the task's association
    (the people who plan its shifts), else whoever ran the match that asked the member, while active.
    Only the account's e-mail is shown: it is the address the organizers already use for this work."""
    task = assignment.shift.task
    if task.association_id is not None:
        organizer = db.session.scalar(
            sa.select(User)
            .join(user_associations, user_associations.c.user_id == User.id)
            .where(
                user_associations.c.organisation_id == task.association_id,
                User.role == Role.ORGANIZER,
                User.active.is_(True),
            )
            .order_by(User.id)
            .limit(1)
        )
        if organizer is not None:
            return organizer
    if assignment.run_id is not None:
        run = db.session.get(MatchRun, assignment.run_id)
        creator = db.session.get(User, run.created_by_id) if run and run.created_by_id else None
        if creator is not None and creator.active:
            return creator
    return None


def ask_page(assignment: Assignment, full: bool) -> AskPage:
    confirmed = db.session.scalars(
        sa.select(Assignment)
        .join(Assignment.shift)
        .where(Assignment.member_id == assignment.member_id, Assignment.status == AssignmentStatus.ACCEPTED)
        .order_by(Shift.start_local)
    ).all()
    declined = assignment.status is AssignmentStatus.DECLINED
    return AskPage(
        assignment=assignment,
        kind=vocabulary.kind_label(assignment.shift.task.kind),
        confirmed=list(confirmed),
        feed_url=ics.member_feed_url(assignment.member),
        full=full,
        contact=contact(assignment),
        started=answers.started(assignment.shift),
        can_change_mind=declined and answers.place_free(assignment),
    )
