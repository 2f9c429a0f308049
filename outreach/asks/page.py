"""What a member sees behind their task link: the task, where their answer stands, and the tasks they
have already said yes to (with their own calendar feed). Nothing about other members."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from outreach.tasks import ics, vocabulary
from survey.extensions import db
from survey.models import Assignment, AssignmentStatus, Shift, Task


@dataclass
class AskPage:
    assignment: Assignment
    kind: str  # the task's kind, as a label
    confirmed: list[Assignment]  # the member's accepted tasks, soonest first
    feed_url: str
    full: bool  # they tried to accept a place that has gone to someone else meanwhile

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


def ask_page(assignment: Assignment, full: bool) -> AskPage:
    confirmed = db.session.scalars(
        sa.select(Assignment)
        .join(Assignment.shift)
        .where(Assignment.member_id == assignment.member_id, Assignment.status == AssignmentStatus.ACCEPTED)
        .order_by(Shift.start_local)
    ).all()
    return AskPage(
        assignment=assignment,
        kind=vocabulary.kind_label(assignment.shift.task.kind),
        confirmed=list(confirmed),
        feed_url=ics.member_feed_url(assignment.member),
        full=full,
    )
