"""Importing tasks from a CSV file (`kraftkartan tasks import`, and the upload page).

All or nothing: every row is checked before anything is stored, and any problem refuses the whole file
with a report naming row, column, value and what is wrong — half an imported campaign is worse than none.
Rows with the same title, association and place become one task with several shifts. Importing the same
file again adds nothing: a task that exists (same title, association and place) only gets the shifts it
lacks, and its other fields are left as they are (organizers may have edited them since).
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import gettext as _

from outreach.tasks import services as tasks
from outreach.tasks import vocabulary as words
from survey.core.access import association_ids
from survey.extensions import db
from survey.models import Organisation, OrganisationKind, Shift, Task, TaskKind, User

if TYPE_CHECKING:  # pandas loads when a file is read, not when the app starts
    import pandas as pd

# Canonical name -> accepted headers (English first, then Swedish), compared in lower case.
COLUMNS: dict[str, tuple[str, ...]] = {
    "title": ("title", "titel"), "kind": ("kind", "typ"), "association": ("association", "förening"),
    "place": ("place", "plats"), "date": ("date", "datum"), "start": ("start",), "end": ("end", "slut"),
    "slots": ("slots", "antal"), "required_skills": ("required_skills", "krav"),
    "preferred_skills": ("preferred_skills", "meriterande"), "topic": ("topic", "ämne"),
    "priority": ("priority", "prioritet"), "notes": ("notes", "anteckningar"),
}
REQUIRED = ("title", "kind", "date", "start", "end")
TASK_FIELDS = ("kind", "required_skills", "preferred_skills", "topic", "priority", "notes")


@dataclass(frozen=True)
class Problem:
    row: int | None  # as a spreadsheet numbers it: the header is row 1
    column: str | None  # as written in the file
    value: str
    message: str

    def __str__(self) -> str:
        where = [_("rad %(n)d", n=self.row) if self.row else _("filen")]
        if self.column:
            where.append(_("kolumn ”%(c)s”", c=self.column))
        if self.value:
            where.append(_("värde ”%(v)s”", v=self.value))
        return f"{', '.join(where)}: {self.message}"


@dataclass
class ImportResult:
    problems: list[Problem] = field(default_factory=list)
    tasks_created: int = 0
    shifts_created: int = 0
    shifts_present: int = 0  # already in the database: the file was imported before

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class _Group:
    title: str
    association_id: int | None
    place: str | None
    values: dict[str, tuple[int, object]] = field(default_factory=dict)  # field -> (row, value)
    shifts: dict[tuple[datetime, datetime], tuple[int, int]] = field(default_factory=dict)  # -> (row, slots)


def import_csv(data: bytes, user: User | None, dry_run: bool = False) -> ImportResult:
    """Check `data` and, unless `dry_run` or there is a problem, add its tasks (flushed, not committed).

    `user` None is the command line, which acts for the whole district.
    """
    frame, headers, problems = read_frame(data)
    if problems:
        return ImportResult(problems)
    groups, problems = _parse(frame, headers, user)
    if problems:
        return ImportResult(problems)
    return _store(groups, dry_run)


def read_frame(data: bytes) -> tuple[pd.DataFrame, dict[str, str], list[Problem]]:
    """The rows as text, and canonical column -> header as written; or the problems with the file."""
    import pandas as pd

    empty = pd.DataFrame()
    for encoding in ("utf-8-sig", "cp1252"):  # Excel on Windows saves "CSV" as Windows-1252
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        return empty, {}, [Problem(None, None, "", _("Filen är varken UTF-8 eller Windows-1252."))]
    first = text.lstrip().split("\n", 1)[0]
    if not first.strip():
        return empty, {}, [Problem(None, None, "", _("Filen är tom."))]
    # Swedish Excel separates with semicolons, everything else with commas: count them in the header.
    sep = ";" if first.count(";") > first.count(",") else ","
    try:
        frame = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        return empty, {}, [Problem(None, None, "", _("Filen kunde inte läsas som CSV: %(e)s", e=exc))]
    aliases = {alias: name for name, spellings in COLUMNS.items() for alias in spellings}
    headers: dict[str, str] = {}
    problems = []
    for header in frame.columns:
        name = aliases.get(str(header).strip().lower())
        if name is None:
            problems.append(Problem(1, str(header), "", _("Okänd kolumn. Kolumnerna heter: %(names)s.",
                                                          names=", ".join(s[-1] for s in COLUMNS.values()))))
        elif name in headers:
            problems.append(Problem(1, str(header), "", _("Kolumnen finns två gånger (som ”%(other)s”).",
                                                          other=headers[name])))
        else:
            headers[name] = str(header)
    for name in REQUIRED:
        if name not in headers:
            problems.append(Problem(1, COLUMNS[name][-1], "", _("Kolumnen saknas.")))
    return frame, headers, problems


@dataclass
class _Vocabulary:
    """Every spelling accepted for kinds, skills, topics and associations, looked up once per file."""

    kinds: dict[str, TaskKind]
    skills: dict[str, str]
    topics: dict[str, str]
    orgs: dict[str, Organisation]
    allowed: set[int] | None  # None: any association, and district-wide tasks

    @classmethod
    def load(cls, user: User | None) -> _Vocabulary:
        kinds = {k.value: k for k in TaskKind}
        for kind, label in words.KIND_LABELS.items():
            kinds[label.lower()] = kinds[_(label).lower()] = kind
        orgs = db.session.scalars(
            sa.select(Organisation).where(Organisation.kind == OrganisationKind.ASSOCIATION))
        return cls(kinds, words.option_aliases("skill:"), words.option_aliases("interest:"),
                   {key.lower(): o for o in orgs for key in (o.slug, o.name)},
                   association_ids(user) if user is not None else None)


def _parse(frame: pd.DataFrame, headers: dict[str, str], user: User | None
           ) -> tuple[list[_Group], list[Problem]]:
    vocabulary = _Vocabulary.load(user)
    groups: dict[tuple, _Group] = {}
    problems: list[Problem] = []
    for index, record in enumerate(frame.to_dict("records")):
        row = index + 2
        cell = {name: str(record[header]).strip() for name, header in headers.items()}
        if not any(cell.values()):
            continue  # Excel leaves rows of empty cells behind

        def problem(name: str, message: str, row: int = row, cell: dict = cell) -> None:
            problems.append(Problem(row, headers.get(name, name), cell.get(name, ""), message))

        org, values, shift = _parse_row(cell, vocabulary, problem)
        place = cell.get("place") or None
        key = (cell["title"].casefold(), org.id if org else None, (place or "").casefold())
        group = groups.setdefault(key, _Group(cell["title"], org.id if org else None, place))
        for name, value in values.items():
            earlier = group.values.setdefault(name, (row, value))
            if earlier[1] != value:
                problem(name, _("Skiljer sig från rad %(n)d för samma uppgift "
                                "(samma titel, förening och plats).", n=earlier[0]))
        if shift is not None:
            earlier_row = group.shifts.setdefault((shift.start, shift.end), (row, shift.slots))[0]
            if earlier_row != row:
                problem("start", _("Samma pass finns redan på rad %(n)d.", n=earlier_row))
    return list(groups.values()), problems


def _parse_row(cell: dict[str, str], vocabulary: _Vocabulary, problem: Callable[[str, str], None]
               ) -> tuple[Organisation | None, dict[str, object], tasks.ShiftInput | None]:
    """One row's association, task fields and shift; what is wrong goes to `problem(column, message)`."""
    if not cell["title"]:
        problem("title", _("Skriv vad uppgiften heter."))
    for name in ("title", "place"):
        if len(cell.get(name, "")) > 200:
            problem(name, _("Högst %(max)d tecken.", max=200))
    org = vocabulary.orgs.get(cell.get("association", "").lower())
    if cell.get("association") and org is None:
        problem("association", _("Okänd förening."))
    if vocabulary.allowed is not None:
        if not cell.get("association"):
            problem("association", _("Uppgifter för hela distriktet (tom förening) kan bara distriktets "
                                     "administratörer lägga in."))
        elif org is not None and org.id not in vocabulary.allowed:
            problem("association", _("Du kan bara importera uppgifter för dina egna föreningar."))

    values: dict[str, object] = {}
    if cell["kind"].lower() in vocabulary.kinds:
        values["kind"] = vocabulary.kinds[cell["kind"].lower()]
    else:
        problem("kind", _("Okänd typ. Använd någon av: %(kinds)s.",
                          kinds=", ".join(_(label) for label in words.KIND_LABELS.values())))
    for name in ("required_skills", "preferred_skills"):
        items = [s.strip() for s in re.split(r"[;,]", cell.get(name, "")) if s.strip()]
        unknown = [s for s in items if s.lower() not in vocabulary.skills]
        if unknown:
            problem(name, _("Okänd förmåga: %(keys)s.", keys=", ".join(unknown)))
        elif items:
            values[name] = sorted({vocabulary.skills[s.lower()] for s in items})
    if cell.get("topic"):
        if cell["topic"].lower() in vocabulary.topics:
            values["topic"] = vocabulary.topics[cell["topic"].lower()]
        else:
            problem("topic", _("Okänt ämne. Använd någon av: %(keys)s.",
                               keys=", ".join(words.topic_options())))
    if cell.get("priority"):
        if cell["priority"] in ("1", "2", "3"):
            values["priority"] = int(cell["priority"])
        else:
            problem("priority", _("Prioriteten måste vara 1, 2 eller 3."))
    if cell.get("notes"):
        values["notes"] = cell["notes"]

    shift, shift_problems = tasks.parse_shift(cell["date"], cell["start"], cell["end"], cell.get("slots", ""))
    for name, message in shift_problems.items():
        problem(name, message)
    return org, values, shift


def _same(column: sa.ColumnElement, value: object) -> sa.ColumnElement[bool]:
    return column.is_(None) if value is None else column == value


def _store(groups: list[_Group], dry_run: bool) -> ImportResult:
    result = ImportResult()
    for group in groups:
        existing = db.session.scalar(sa.select(Task).where(
            Task.title == group.title, _same(Task.association_id, group.association_id),
            _same(Task.place, group.place)))
        have = {(s.start_local, s.end_local) for s in existing.shifts} if existing else set()
        new = [(start, end, slots) for (start, end), (_row, slots) in group.shifts.items()
               if (start, end) not in have]
        result.shifts_present += len(group.shifts) - len(new)
        result.shifts_created += len(new)
        if existing is None:
            result.tasks_created += 1
        if dry_run:
            continue
        if existing is not None:
            existing.shifts.extend(Shift(start_local=s, end_local=e, slots=n) for s, e, n in new)
            continue
        values = {name: value for name, (_row, value) in group.values.items()}
        tasks.save_task(tasks.TaskInput(
            title=group.title, kind=values["kind"], association_id=group.association_id, place=group.place,
            required_skills=values.get("required_skills", []),
            preferred_skills=values.get("preferred_skills", []),
            topic=values.get("topic"), priority=values.get("priority", 1), notes=values.get("notes"),
            shifts=[tasks.ShiftInput(s, e, n) for s, e, n in new]))
    db.session.flush()
    return result
