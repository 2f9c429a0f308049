"""Asks that members have not answered yet, as a list for an SMS mail-merge.

Published asks go out by email when the member has an address and SMTP is set up; everyone else needs the
link another way, and the links on the publish page are shown only once. This list gives each unanswered
ask a fresh link (only hashes are stored, so an old link cannot be shown again): the new link replaces the
old one, which then stops working, and the ask leaves any email about it still waiting in the outbox.
Do-not-contact members and members without a phone are left out, and so is anyone whose phone the viewer
may not see (`access.can_see_contact`, the same rule as the task page: in practice the scope already
limits the list to the viewer's own tasks, whose asked people they may reach).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager

from outreach.match import offers
from survey.core import access
from survey.core.contacts import format_phone
from survey.extensions import db
from survey.models import Assignment, AssignmentStatus, Member, MemberStatus, Organisation, Shift, Task, User

COLUMNS = ["member_number", "first_name", "phone", "task", "when", "place", "url"]
WEEKDAYS = ("mån", "tis", "ons", "tor", "fre", "lör", "sön")


def _when(shift: Shift) -> str:
    """Short Swedish wall-clock time for a text message: "lör 17/8 11:00–13:00"."""
    start, end = shift.start_local, shift.end_local
    return f"{WEEKDAYS[start.weekday()]} {start.day}/{start.month} {start:%H:%M}–{end:%H:%M}"


def unanswered_rows(
    association: Organisation | None, shift_ids: set[int] | None = None, viewer: User | None = None
) -> list[dict[str, str]]:
    """One row per unanswered ask in scope (`shift_ids`: only these shifts), each with a fresh link."""
    query = (
        sa.select(Assignment)
        .join(Assignment.member)
        .join(Assignment.shift)
        .join(Shift.task)
        .where(
            Assignment.status == AssignmentStatus.PUBLISHED,
            Member.status == MemberStatus.ACTIVE,
            Member.do_not_contact.is_(False),
            Member.phone.is_not(None),
            Member.phone != "",
        )
        .options(
            contains_eager(Assignment.member), contains_eager(Assignment.shift).contains_eager(Shift.task)
        )
        .order_by(Member.member_number, Shift.start_local, Assignment.id)
    )
    if association is not None:
        query = query.where(Task.association_id == association.id)
    if shift_ids is not None:
        query = query.where(Assignment.shift_id.in_(shift_ids))
    found = db.session.scalars(query).unique()
    asks = [a for a in found if access.can_see_contact(viewer, a.member, a.shift.task)]
    offers.withdraw(asks)  # an email still waiting would replace the links in this list
    rows = []
    for ask in asks:
        rows.append({
            "member_number": ask.member.member_number,
            "first_name": ask.member.first_name,
            "phone": format_phone(ask.member.phone),
            "task": ask.shift.task.title,
            "when": _when(ask.shift),
            "place": ask.shift.task.place or "",
            "url": offers.task_url(offers.issue_token(ask)),
        })
    db.session.flush()
    return rows
