"""The week calendar of shifts: Monday to Sunday, each day's shifts in start order.

A plain view model so the template only lays it out (seven columns on a desktop, a day list on a phone).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager

from outreach.tasks import services as tasks
from survey.core import access
from survey.extensions import db
from survey.models import Shift, Task, User
from survey.spec import availability


@dataclass
class Entry:
    shift: Shift
    task: Task
    places: tasks.Staffing
    editable: bool

    @property
    def full(self) -> bool:
        return self.places.full


@dataclass
class Day:
    day: date
    entries: list[Entry]


@dataclass
class WeekView:
    monday: date
    days: list[Day]

    @property
    def week(self) -> availability.Week:
        return availability.week_of(self.monday)

    @property
    def previous(self) -> date:
        return self.monday - timedelta(days=7)

    @property
    def next(self) -> date:
        return self.monday + timedelta(days=7)

    @property
    def empty(self) -> bool:
        return not any(d.entries for d in self.days)


def opening_week(mondays: list[date], today: date) -> date | None:
    """The week a page opens on when none is asked for: the first with shifts from this week on, else the
    last one with any (a finished campaign shows its end, not an empty week); None without shifts."""
    this_week = today - timedelta(days=today.weekday())
    return next((m for m in sorted(mondays) if m >= this_week), max(mondays, default=None))


def own_mondays(user: User, association: str = "") -> list[date]:
    """The weeks with shifts of the user's own associations (or of the one filtered on): district-wide
    shifts are in every organizer's calendar, and opening on a week of only those shows them nothing of
    their own to do."""
    query = access.visible_tasks(sa.select(Shift.start_local).join(Shift.task), user)
    allowed = access.association_ids(user)
    if association == "none":
        query = query.where(Task.association_id.is_(None))
    elif association.isdigit():
        query = query.where(Task.association_id == int(association))
    elif allowed is not None:
        query = query.where(Task.association_id.in_(allowed))
    return sorted({s.date() - timedelta(days=s.weekday()) for s in db.session.scalars(query)})


def monday_of(text: str | None, user: User, today: date | None = None, association: str = "") -> date:
    """The Monday of the week `text` (any day, YYYY-MM-DD) falls in.

    Without a date: the week `opening_week` picks from the user's own shifts (any visible shift when they
    have none), so that the calendar opens where there is something to do; this week when nothing at all.
    """
    if text:
        try:
            day = date.fromisoformat(text)
        except ValueError:
            day = None
        if day is not None:
            return day - timedelta(days=day.weekday())
    today = today or date.today()
    mondays = own_mondays(user, association) or tasks.shift_mondays(user)
    return opening_week(mondays, today) or today - timedelta(days=today.weekday())


def week_view(user: User, monday: date, association: str = "") -> WeekView:
    start = datetime.combine(monday, time())
    query = (access.visible_tasks(sa.select(Shift).join(Shift.task), user)
             .where(Shift.start_local >= start, Shift.start_local < start + timedelta(days=7))
             .options(contains_eager(Shift.task))
             .order_by(Shift.start_local, Task.title))
    if association == "none":
        query = query.where(Task.association_id.is_(None))
    elif association.isdigit():
        query = query.where(Task.association_id == int(association))
    shifts = db.session.scalars(query).unique().all()
    places = tasks.staffing(shifts)
    days = [Day(monday + timedelta(days=i), []) for i in range(7)]
    for shift in shifts:
        days[shift.start_local.weekday()].entries.append(
            Entry(shift, shift.task, places[shift.id], access.can_edit_task(user, shift.task)))
    return WeekView(monday, days)
