"""The sign-in sheet for a shift, and the attendance its organizer types back in afterwards.

The roster lists who accepted, then who was asked and has not answered (they may still come), with a
"kom" box and room for notes, plus empty rows for people who turn up unasked. Back home the organizer
ticks the same names on the shift's attendance page: that marks the shift held and counts who came.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _

from outreach.printing import filters
from outreach.printing.common import Header, clock, header, status_key, status_word, weekday_date
from outreach.tasks import vocabulary
from survey.core.contacts import format_phone
from survey.extensions import db
from survey.models import (
    Assignment,
    AssignmentStatus,
    HeldShift,
    Organisation,
    Role,
    Shift,
    ShiftAttendance,
    User,
    utcnow,
)

ON_ROSTER = (AssignmentStatus.ACCEPTED, AssignmentStatus.PUBLISHED)
BLANK_ROWS = 4


@dataclass(frozen=True)
class RosterRow:
    member_id: int
    name: str
    phone: str
    status_text: str
    came: bool  # already recorded as present


@dataclass(frozen=True)
class Roster:
    shift_id: int
    title: str
    kind: str
    place: str
    association: str
    day: str
    time: str
    slots: int
    contact: str  # who organizes it
    notes: str
    rows: tuple[RosterRow, ...]
    blank: int
    held: bool
    came: int | None


@dataclass(frozen=True)
class Rosters:
    head: Header
    rosters: tuple[Roster, ...]
    people: int


def roster_assignments(shift: Shift) -> list[Assignment]:
    """Who goes on the sheet: accepted first, then unanswered asks, by name."""
    rows = [a for a in shift.assignments if a.status in ON_ROSTER]
    return sorted(rows, key=lambda a: (a.status is not AssignmentStatus.ACCEPTED, a.member.last_name,
                                       a.member.first_name, a.id))


def organizer_contact(association: Organisation | None) -> str:
    """The association's organizers' addresses (user accounts have only an email), else the district's."""
    query = sa.select(User.email).where(User.active.is_(True))
    if association is not None:
        query = query.where(User.role == Role.ORGANIZER, User.associations.any(id=association.id))
    else:
        query = query.where(User.role == Role.ADMIN)
    emails = db.session.scalars(query.order_by(User.email).limit(2)).all()
    if not emails and association is not None:
        return organizer_contact(None)
    return ", ".join(emails)


def build_roster(viewer: User | None, shift: Shift, contacts: dict | None = None) -> Roster:
    contacts = contacts if contacts is not None else {}
    task = shift.task
    if task.association_id not in contacts:
        contacts[task.association_id] = organizer_contact(task.association)
    held = db.session.get(HeldShift, shift.id)
    present = set(db.session.scalars(sa.select(ShiftAttendance.member_id)
                                     .where(ShiftAttendance.shift_id == shift.id)))
    declined = any(a.status is AssignmentStatus.DECLINED for a in shift.assignments)
    rows = []
    for a in roster_assignments(shift):
        named = filters.may_name(viewer, a.member, shift.task)
        rows.append(RosterRow(
            member_id=a.member_id,
            name=filters.display_name(viewer, a.member, shift.task),
            phone=format_phone(a.member.phone) if named else "",
            status_text=status_word(status_key(a, declined)),
            came=a.member_id in present))
    return Roster(
        shift_id=shift.id, title=task.title, kind=vocabulary.kind_label(task.kind), place=task.place or "",
        association=task.association.name if task.association else _("Hela distriktet"),
        day=weekday_date(shift.start_local.date()), time=clock(shift), slots=shift.slots,
        contact=contacts[task.association_id], notes=task.notes or "", rows=tuple(rows),
        blank=max(BLANK_ROWS, shift.slots - len(rows)), held=held is not None,
        came=held.came if held else None)


def build(viewer: User | None, association: Organisation | None, period: filters.Period,
          shift_ids: set[int] | None = None, progress=None) -> Rosters:
    """One roster per shift in scope (or just `shift_ids`), each on its own page."""
    contacts: dict = {}
    shift_list = filters.shifts(association, period, shift_ids)
    out = []
    for shift in (progress(shift_list) if progress else shift_list):
        out.append(build_roster(viewer, shift, contacts))
    title = _("Närvarolista") if len(out) == 1 else _("Närvarolistor")
    return Rosters(header(association, title), tuple(out), sum(len(r.rows) for r in out))


def record_attendance(shift: Shift, member_ids: set[int], user: User | None) -> HeldShift:
    """Mark the shift held and who came (members on its roster only); saving again replaces the ticks."""
    allowed = {a.member_id for a in roster_assignments(shift)}
    came = member_ids & allowed
    db.session.execute(sa.delete(ShiftAttendance).where(ShiftAttendance.shift_id == shift.id))
    db.session.add_all(ShiftAttendance(shift_id=shift.id, member_id=m) for m in sorted(came))
    held = db.session.get(HeldShift, shift.id)
    if held is None:
        held = HeldShift(shift_id=shift.id)
        db.session.add(held)
    held.came = len(came)
    held.recorded_by_id = user.id if user else None
    held.recorded_at = utcnow()
    db.session.flush()
    return held
