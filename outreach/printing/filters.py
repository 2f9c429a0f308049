"""Which shifts a print-out covers: association, period (a week, a month, from this week on, or all) and
the viewer's rights. One place for the filters that the web, the CLI and every document share."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from outreach.printing.common import STATUSES, local_today, monday
from survey.core.access import association_ids, can_see_association, can_see_contact, person_label
from survey.extensions import db
from survey.models import Member, Organisation, OrganisationKind, Shift, Task, User

WEEK_RE = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.IGNORECASE)


class FilterError(ValueError):
    """A filter value that cannot be read ("vecka 99"): a 400 on the web, a usage error in the CLI."""


@dataclass(frozen=True)
class Period:
    start: date | None  # None: from the beginning
    end: date | None  # exclusive; None: no end

    def where(self) -> list[sa.ColumnElement[bool]]:
        out = []
        if self.start is not None:
            out.append(Shift.start_local >= datetime.combine(self.start, time()))
        if self.end is not None:
            out.append(Shift.start_local < datetime.combine(self.end, time()))
        return out


def parse_period(week: str | None = None, month: str | None = None, today: date | None = None) -> Period:
    """`week`: "all", a date in the week ("2030-08-19"), "2030-W34", or a week number (this year, or the
    next if that week has passed); `month`: "2030-08". Neither: from this week on."""
    today = today or local_today()
    if month:
        try:
            first = datetime.strptime(month, "%Y-%m").date()
        except ValueError as exc:
            raise FilterError(f"month must look like 2030-08: {month!r}") from exc
        return Period(first, (first + timedelta(days=32)).replace(day=1))
    if not week:
        return Period(monday(today), None)
    if week == "all":
        return Period(None, None)
    found = WEEK_RE.match(week)
    try:
        if found:
            start = date.fromisocalendar(int(found[1]), int(found[2]), 1)
        elif week.isdigit():
            start = date.fromisocalendar(today.year, int(week), 1)
            if start + timedelta(days=7) <= today:
                start = date.fromisocalendar(today.year + 1, int(week), 1)
        else:
            start = monday(date.fromisoformat(week))
    except ValueError as exc:
        raise FilterError(f"not a week: {week!r}") from exc
    return Period(start, start + timedelta(days=7))


def parse_statuses(raw: str | list[str] | None) -> tuple[str, ...] | None:
    """"accepted,asked" or a list; None: the default (everything but unpublished proposals)."""
    if not raw:
        return None
    parts = raw.split(",") if isinstance(raw, str) else [p for item in raw for p in item.split(",")]
    wanted = tuple(p.strip() for p in parts if p.strip())
    unknown = [p for p in wanted if p not in (*STATUSES, "unfilled")]
    if unknown:
        raise FilterError(f"unknown status {unknown[0]!r}: use {', '.join((*STATUSES, 'unfilled'))}")
    return wanted


def association_by(value: str | int | None) -> Organisation | None:
    """An association by id or slug (None for empty); FilterError if there is none."""
    if value in (None, ""):
        return None
    column = Organisation.id if str(value).isdigit() else Organisation.slug
    key = int(value) if str(value).isdigit() else str(value)
    org = db.session.scalar(sa.select(Organisation).where(
        column == key, Organisation.kind == OrganisationKind.ASSOCIATION))
    if org is None:
        raise FilterError(f"no association {value!r}")
    return org


def shifts(association: Organisation | None, period: Period,
           shift_ids: set[int] | None = None) -> list[Shift]:
    """The shifts of an association (None: every shift of the district), soonest first."""
    query = (sa.select(Shift).join(Shift.task).where(*period.where())
             .options(selectinload(Shift.task).selectinload(Task.association),
                      selectinload(Shift.assignments)))
    if association is not None:
        query = query.where(Task.association_id == association.id)
    if shift_ids is not None:
        query = query.where(Shift.id.in_(shift_ids))
    return list(db.session.scalars(query.order_by(Shift.start_local, Task.title, Shift.id)))


def may_name(viewer: User | None, member: Member, task: Task) -> bool:
    """Name and phone on a print-out: the same rule as the match and task pages (`access.can_see_contact`:
    own associations' members, and to the task's organizer everyone asked to it); the CLI (viewer None)
    acts for the district."""
    return can_see_contact(viewer, member, task)


def display_name(viewer: User | None, member: Member, task: Task) -> str:
    return person_label(viewer, member, task)


def scope_allowed(viewer: User | None, association: Organisation | None) -> bool:
    """May `viewer` print for this scope? The district (None) only for admins and the CLI."""
    if viewer is None:
        return True
    if association is None:
        return association_ids(viewer) is None
    return can_see_association(viewer, association.id)
