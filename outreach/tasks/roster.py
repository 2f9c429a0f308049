"""Who is coming to a task's shifts, for the task page: accepted first, then asked and not answered,
then who said no, each with the name and phone the viewer may see.

The organizer of the task's association needs to reach everyone asked to it, travelling members of other
associations too; `access.can_see_contact` is that rule, and nothing else of those members is shown here.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from outreach.tasks import vocabulary
from survey.core import access
from survey.core.contacts import format_phone
from survey.extensions import db
from survey.models import Assignment, AssignmentStatus, Member, Task, User

ORDER = {AssignmentStatus.ACCEPTED: 0, AssignmentStatus.PUBLISHED: 1, AssignmentStatus.DECLINED: 2}


@dataclass(frozen=True)
class Person:
    name: str
    phone: str  # "" when there is none, or the viewer may not see it
    status: str  # the status value, for the style
    status_text: str


def people(viewer: User, task: Task) -> dict[int, list[Person]]:
    """Shift id -> the people asked to it (proposals are the match page's business), in roster order."""
    ids = [s.id for s in task.shifts]
    if not ids:
        return {}
    rows = db.session.scalars(
        sa.select(Assignment)
        .where(Assignment.shift_id.in_(ids), Assignment.status.in_(access.ASKED))
        .options(selectinload(Assignment.member).selectinload(Member.association))
    ).all()
    rows = sorted(rows, key=lambda a: (ORDER[a.status], a.member.last_name, a.member.first_name, a.id))
    out: dict[int, list[Person]] = defaultdict(list)
    for a in rows:
        named = access.can_see_contact(viewer, a.member, task)
        out[a.shift_id].append(Person(
            name=access.person_label(viewer, a.member, task),
            phone=format_phone(a.member.phone) if named and a.member.phone else "",
            status=a.status.value,
            status_text=vocabulary.status_label(a.status)))
    return dict(out)
