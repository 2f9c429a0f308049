"""The ombudsman's list: per campaign week, one block per task shift with who is on it and what is free.

Each block: day, time, place, kind, the people (name, phone, status) and the places still unfilled with
the reason from the latest matching run. People are named as on the match page (`access.person_label`):
the task's organizer sees name and phone of everyone asked to it, travelling members too; anyone else
sees only "Medlem i Ånge" for another association's member.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import ngettext

from outreach.match import services as assign
from outreach.printing import filters
from outreach.printing.common import (
    Header,
    clock,
    header,
    monday,
    status_key,
    status_word,
    week_title,
    weekday_date,
)
from outreach.tasks import services as tasks
from outreach.tasks import vocabulary
from survey.core.contacts import format_phone
from survey.i18n import N_
from survey.models import AssignmentStatus, Organisation, Shift, User

DEFAULT_STATUSES = ("accepted", "asked", "replacement", "declined")
# The same words as the match page (same msgids, so one translation).
WHY = {
    "not_available": N_("Ingen är ledig då"),
    "missing_skill": N_("Ingen har den förmåga som krävs"),
    "other_association": N_("Ingen från föreningen kan, och ingen annan reser"),
    "busy": N_("Alla som kan är redan upptagna"),
    "forbidden": N_("Alla som kan är spärrade"),
}


@dataclass(frozen=True)
class Person:
    name: str
    phone: str
    status: str  # a key of common.STATUS_WORDS
    status_text: str


@dataclass(frozen=True)
class ShiftBlock:
    shift_id: int
    title: str
    kind: str
    place: str
    association: str
    day: str
    time: str
    slots: int
    people: tuple[Person, ...]
    free: int  # places nobody holds (asked or accepted)
    why: str  # the reason from the latest run, or a note that matching has not covered it


@dataclass(frozen=True)
class Week:
    title: str
    blocks: tuple[ShiftBlock, ...]


@dataclass(frozen=True)
class MatchList:
    head: Header
    filters: str  # what the list covers, in words
    weeks: tuple[Week, ...]
    people: int  # rows printed: the audit counts these
    free: int


def _reasons(shift_list: list[Shift]) -> dict[int, dict]:
    """Shift id -> the unfilled entry of the newest run that covered it (the district's or its own)."""
    runs = {assign.latest_run(None)}
    for org in {s.task.association for s in shift_list if s.task.association is not None}:
        runs.add(assign.latest_run(org))
    found: dict[int, tuple[int, dict]] = {}
    for run in filter(None, runs):
        for entry in (run.stats or {}).get("unfilled", []):
            if entry["shift"] not in found or found[entry["shift"]][0] < run.id:
                found[entry["shift"]] = (run.id, entry)
    return {shift_id: entry for shift_id, (_run, entry) in found.items()}


def _why(entry: dict | None, skills: dict[str, str], proposed: int) -> str:
    if entry is None:  # the newest run left no gap here: what is free is proposed, or not matched yet
        if proposed:
            return ngettext("%(num)d föreslagen, inte tillfrågad än (publicera matchningen).",
                            "%(num)d föreslagna, inte tillfrågade än (publicera matchningen).", proposed)
        return _("Ingen matchning har föreslagit någon än.")
    text = _(WHY.get(entry["code"], entry["code"]))
    if entry.get("skills"):
        text += f" ({', '.join(skills.get(k, k) for k in entry['skills'])})"
    return text


def build(viewer: User | None, association: Organisation | None, period: filters.Period,
          statuses: tuple[str, ...] | None = None, description: str = "") -> MatchList:
    """The list for a scope and period; `statuses` keeps only those people (and "unfilled": shifts with
    free places). None: everyone asked, accepted or declined, and every shift."""
    wanted = set(statuses or DEFAULT_STATUSES)
    shift_list = filters.shifts(association, period)
    reasons = _reasons(shift_list)
    skills = vocabulary.skill_options()
    weeks: dict = defaultdict(list)
    people_total = free_total = 0
    for shift in shift_list:
        declined = any(a.status is AssignmentStatus.DECLINED for a in shift.assignments)
        rows = []
        ordered = sorted(shift.assignments, key=lambda a: (_ORDER[a.status], a.member.last_name,
                                                           a.member.first_name, a.id))
        for a in ordered:
            key = status_key(a, declined)
            if key not in wanted:
                continue
            named = filters.may_name(viewer, a.member, shift.task)
            rows.append(Person(
                name=filters.display_name(viewer, a.member, shift.task),
                phone=format_phone(a.member.phone) if named else "",
                status=key, status_text=status_word(key)))
        holding = sum(1 for a in shift.assignments if a.status in tasks.FILLING)
        free = max(shift.slots - holding, 0)
        proposed = sum(1 for a in shift.assignments if a.status is AssignmentStatus.PROPOSED)
        if statuses is not None and not rows and not (free and "unfilled" in wanted):
            continue
        people_total += len(rows)
        free_total += free
        task = shift.task
        weeks[monday(shift.start_local.date())].append(ShiftBlock(
            shift_id=shift.id, title=task.title, kind=vocabulary.kind_label(task.kind),
            place=task.place or "",
            association=task.association.name if task.association else _("Hela distriktet"),
            day=weekday_date(shift.start_local.date()), time=clock(shift), slots=shift.slots,
            people=tuple(rows), free=free, why=_why(reasons.get(shift.id), skills, proposed) if free else ""))
    return MatchList(
        head=header(association, _("Uppdrag och matchningar")),
        filters=description,
        weeks=tuple(Week(week_title(m), tuple(blocks)) for m, blocks in sorted(weeks.items())),
        people=people_total, free=free_total)


_ORDER = {AssignmentStatus.ACCEPTED: 0, AssignmentStatus.PUBLISHED: 1, AssignmentStatus.PROPOSED: 2,
          AssignmentStatus.DECLINED: 3}
