"""Campaign tasks and their shifts: validation, saving and who may see or change what.

The form, the CSV import and the demo all go through `save_task`, so a task is checked the same way
however it arrives. Functions here flush but never commit: the view or command commits once.
Times are local wall-clock time (Europe/Stockholm), naive, like the members' availability.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from outreach.tasks import vocabulary
from survey.core import access
from survey.extensions import db
from survey.models import (
    Assignment,
    AssignmentStatus,
    Shift,
    Task,
    TaskKind,
    User,
)

# An assignment holds its slot for the engine from the moment the member is asked until they decline
# (staffed, as people are told, is another thing: see Staffing).
FILLING = (AssignmentStatus.PUBLISHED, AssignmentStatus.ACCEPTED)
MAX_SLOTS = 500


# -- input and validation -------------------------------------------------------------------------

@dataclass
class ShiftInput:
    start: datetime
    end: datetime
    slots: int
    id: int | None = None  # an existing shift of the task being edited


@dataclass
class TaskInput:
    title: str
    kind: TaskKind
    association_id: int | None
    place: str | None = None
    required_skills: list[str] = field(default_factory=list)
    preferred_skills: list[str] = field(default_factory=list)
    topic: str | None = None
    priority: int = 1
    notes: str | None = None
    shifts: list[ShiftInput] = field(default_factory=list)


class TaskInvalid(ValueError):
    """What is wrong, by field name ("title", "shifts", "shift-2-end"), in Swedish."""

    def __init__(self, problems: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in problems.items()))
        self.problems = problems


def parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(_("Skriv datumet som ÅÅÅÅ-MM-DD, till exempel 2030-08-17.")) from None


def parse_clock(text: str) -> time:
    """"10:00", "9:30" and the Swedish "10.00" all work: people type what they are used to."""
    parts = text.strip().replace(".", ":").split(":")
    if len(parts) == 2 and all(p.isdigit() for p in parts) and len(parts[1]) == 2:
        hour, minute = int(parts[0]), int(parts[1])
        if hour < 24 and minute < 60:
            return time(hour, minute)
    raise ValueError(_("Skriv klockslaget som TT:MM, till exempel 17:30."))


def shift_problems(start: datetime, end: datetime, slots: int) -> dict[str, str]:
    problems = {}
    if end <= start:
        problems["end"] = _("Slutet måste vara efter starten (pass över midnatt stöds inte).")
    if not 1 <= slots <= MAX_SLOTS:
        problems["slots"] = _("Antal personer måste vara mellan 1 och %(max)d.", max=MAX_SLOTS)
    return problems


def parse_shift(day: str, start: str, end: str, slots: str) -> tuple[ShiftInput | None, dict[str, str]]:
    """A shift as typed in a form row or a CSV row; what is wrong is keyed "date", "start", "end", "slots"."""
    parsed, problems = {}, {}
    fields = (("date", day, parse_date), ("start", start, parse_clock), ("end", end, parse_clock))
    for name, text, parse in fields:
        try:
            parsed[name] = parse(text)
        except ValueError as exc:
            problems[name] = str(exc)
    people = int(slots) if slots.isdigit() else 1
    if slots and not slots.isdigit():
        problems["slots"] = _("Skriv ett heltal, till exempel 2.")
    if problems:
        return None, problems
    times = [datetime.combine(parsed["date"], parsed[name]) for name in ("start", "end")]
    problems = shift_problems(times[0], times[1], people)
    return (None if problems else ShiftInput(times[0], times[1], people)), problems


def task_problems(data: TaskInput, skills: Collection[str], topics: Collection[str]) -> dict[str, str]:
    """Everything wrong with `data`; shift problems are keyed "shift-<index>-<field>"."""
    problems = {}
    if not data.title.strip():
        problems["title"] = _("Skriv vad uppgiften heter.")
    elif len(data.title) > 200:
        problems["title"] = _("Högst %(max)d tecken.", max=200)
    if data.place and len(data.place) > 200:
        problems["place"] = _("Högst %(max)d tecken.", max=200)
    if data.priority not in vocabulary.PRIORITY_LABELS:
        problems["priority"] = _("Prioriteten måste vara 1, 2 eller 3.")
    for name in ("required_skills", "preferred_skills"):
        unknown = [s for s in getattr(data, name) if s not in skills]
        if unknown:
            problems[name] = _("Okänd förmåga: %(keys)s.", keys=", ".join(unknown))
    if data.topic and data.topic not in topics:
        problems["topic"] = _("Okänt ämne: %(key)s.", key=data.topic)
    if not data.shifts:
        problems["shifts"] = _("Lägg till minst ett pass med datum, start och slut.")
    for i, shift in enumerate(data.shifts):
        for key, message in shift_problems(shift.start, shift.end, shift.slots).items():
            problems[f"shift-{i}-{key}"] = message
    return problems


def save_task(data: TaskInput, task: Task | None = None) -> Task:
    """Create a task, or update `task` so that its shifts are exactly `data.shifts` (matched by id)."""
    problems = task_problems(data, vocabulary.skill_options(), vocabulary.topic_options())
    if problems:
        raise TaskInvalid(problems)
    task = task or Task()
    task.title, task.kind, task.association_id = data.title.strip(), data.kind, data.association_id
    task.place = (data.place or "").strip() or None
    task.required_skills = list(dict.fromkeys(data.required_skills))
    # A required skill is not also "preferred": the engine would count it twice.
    task.preferred_skills = [s for s in dict.fromkeys(data.preferred_skills) if s not in task.required_skills]
    task.topic, task.priority = data.topic or None, data.priority
    task.notes = (data.notes or "").strip() or None
    existing = {s.id: s for s in task.shifts}
    kept = []
    for item in data.shifts:
        shift = existing.get(item.id) if item.id is not None else None
        if shift is None:
            shift = Shift()
        shift.start_local, shift.end_local, shift.slots = item.start, item.end, item.slots
        kept.append(shift)
    task.shifts = sorted(kept, key=lambda s: s.start_local)  # delete-orphan removes the dropped ones
    db.session.add(task)
    db.session.flush()
    return task


def delete_task(task: Task) -> None:
    db.session.delete(task)
    db.session.flush()


def list_tasks(user: User, association: str = "", kind: str = "", week: date | None = None) -> list[Task]:
    """Visible tasks, soonest first. `association` is "" (all), "none" (district-wide) or an id."""
    query = access.visible_tasks(sa.select(Task), user).options(
        selectinload(Task.shifts), selectinload(Task.association))
    if association == "none":
        query = query.where(Task.association_id.is_(None))
    elif association.isdigit():
        query = query.where(Task.association_id == int(association))
    if kind in {k.value for k in TaskKind}:
        query = query.where(Task.kind == TaskKind(kind))
    if week is not None:
        query = query.where(Task.id.in_(sa.select(Shift.task_id).where(
            Shift.start_local >= datetime.combine(week, time()),
            Shift.start_local < datetime.combine(week + timedelta(days=7), time()))))
    tasks = db.session.scalars(query).all()
    return sorted(tasks, key=lambda t: (t.shifts[0].start_local if t.shifts else datetime.max, t.title))


def shift_mondays(user: User) -> list[date]:
    """The weeks (their Mondays) that have at least one visible shift, for the week filter."""
    starts = db.session.scalars(access.visible_tasks(sa.select(Shift.start_local).join(Task), user)).all()
    return sorted({s.date() - timedelta(days=s.weekday()) for s in starts})


@dataclass(frozen=True)
class Staffing:
    """A shift's places by the state of its assignments. Only an accepted ask staffs a place: an ask not
    answered yet may still be declined, so it is shown apart ("2 tillfrågade"), and a decline counts for
    nothing. The calendar, the task page and the match page all show this, so they cannot disagree."""

    slots: int
    booked: int = 0  # accepted
    asked: int = 0  # published, not answered yet
    declined: int = 0
    proposed: int = 0  # the engine's suggestions, not shown to the member yet

    @property
    def held(self) -> int:
        """Places taken for the engine: accepted or still waiting for an answer."""
        return self.booked + self.asked

    @property
    def full(self) -> bool:
        return self.booked >= self.slots


def count_places(slots: int, statuses: Iterable[AssignmentStatus]) -> Staffing:
    """The one count of a shift's places, from its assignments' statuses."""
    found = list(statuses)
    return Staffing(slots, booked=found.count(AssignmentStatus.ACCEPTED),
                    asked=found.count(AssignmentStatus.PUBLISHED),
                    declined=found.count(AssignmentStatus.DECLINED),
                    proposed=found.count(AssignmentStatus.PROPOSED))


def _statuses(shifts: list[Shift]) -> dict[int, list[AssignmentStatus]]:
    """Shift id -> its assignments' statuses, in one query for all of them."""
    statuses: dict[int, list[AssignmentStatus]] = {s.id: [] for s in shifts}
    if shifts:
        rows = db.session.execute(sa.select(Assignment.shift_id, Assignment.status)
                                  .where(Assignment.shift_id.in_(list(statuses)))).all()
        for shift_id, status in rows:
            statuses[shift_id].append(status)
    return statuses


def staffing(shifts: Iterable[Shift]) -> dict[int, Staffing]:
    """Shift id -> its Staffing."""
    shifts = list(shifts)
    statuses = _statuses(shifts)
    return {s.id: count_places(s.slots, statuses[s.id]) for s in shifts}


def fill_totals(found: Iterable[Task]) -> dict[int, Staffing]:
    """Task id -> all its shifts' places together, for the task list and the delete page."""
    found = list(found)
    statuses = _statuses([s for t in found for s in t.shifts])
    return {t.id: count_places(sum(s.slots for s in t.shifts), [x for s in t.shifts for x in statuses[s.id]])
            for t in found}
