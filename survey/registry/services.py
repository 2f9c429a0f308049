"""Loading a membership registry export: upsert by member number, in one transaction, with a report.

The registry is the party's, not ours: the import mirrors it. Members are keyed on member number, so the
same file twice changes nothing; `full` marks members missing from the file as left (never deletes: their
answers and history stay). Writes are bulk statements over one SELECT of what exists, so 100,000 rows
take seconds, not minutes. Like every service this flushes and never commits: the caller commits once,
and an exception anywhere leaves the registry as it was.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date

import pandas as pd
import sqlalchemy as sa
from flask import current_app

from survey.core import audit
from survey.extensions import db
from survey.models import Member, MemberImport, MemberStatus, User
from survey.privacy import services as privacy
from survey.registry import associations, corrections
from survey.registry.read import MAX_ROWS, RegistryFile, RegistryFileError, _, read_registry
from survey.registry.rows import Note, normalize, to_records
from survey.tabular import csv_text

WRITE_CHUNK = 2000
ID_CHUNK = 1000  # ids per IN (...): well inside SQLite's and PostgreSQL's parameter limits
# Member columns an import may change; first and last name always come from the file.
COMPARED = ("first_name", "last_name", "phone", "email", "address", "postcode", "city", "municipality",
            "joined_on", "birth_year", "association_id")
REPORT_COLUMNS = ("rad", "kolumn", "värde", "meddelande", "följd")
# A report quotes the start of a bad value, enough to find it in the file: a cell can be megabytes (a
# document pasted in), and the report is stored, shown and read back by every erasure.
REPORT_VALUE_LIMIT = 200


@dataclass
class ImportResult:
    filename: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    marked_left: int = 0
    skipped: int = 0
    problems: int = 0
    refused: bool = False  # --strict and at least one problem: nothing was written
    dry_run: bool = False
    notes: list[Note] = field(default_factory=list)
    unknown_columns: list[str] = field(default_factory=list)
    record: MemberImport | None = None

    def summary(self) -> str:
        return _("%(rows)d rader: %(created)d nya, %(updated)d ändrade, %(unchanged)d oförändrade, "
                 "%(left)d markerade som utträdda, %(skipped)d hoppades över (%(problems)d problem).",
                 rows=self.rows, created=self.created, updated=self.updated, unchanged=self.unchanged,
                 left=self.marked_left, skipped=self.skipped, problems=self.problems)

    @property
    def problem_notes(self) -> list[Note]:
        return [n for n in self.notes if n.problem]

    @property
    def info_notes(self) -> list[Note]:
        return [n for n in self.notes if not n.problem]

    def report_csv(self) -> str:
        return report_csv(self.notes, self.refused)


def report_frame(notes: list[Note], refused: bool = False) -> pd.DataFrame:
    def outcome(note: Note) -> str:
        if note.problem:
            return _("hela filen avvisades") if refused else _("raden hoppades över")
        return _("raden importerades") if note.row and note.row > 1 else ""

    rows = [(n.row or "", excerpt(n.column), excerpt(n.value), n.message, outcome(n)) for n in notes]
    return pd.DataFrame(rows, columns=list(REPORT_COLUMNS))


def excerpt(value: str) -> str:
    """A value (or a header) as the report quotes it: at most REPORT_VALUE_LIMIT characters."""
    return value if len(value) <= REPORT_VALUE_LIMIT else value[: REPORT_VALUE_LIMIT - 1] + "…"


def report_csv(notes: list[Note], refused: bool = False) -> str:
    """The report as CSV text; cells that a spreadsheet would run as a formula are defused."""
    return csv_text(report_frame(notes, refused))


def _chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass
class _Plan:
    """What the import will write, worked out before anything is written."""

    inserts: list[dict] = field(default_factory=list)
    updates: list[dict] = field(default_factory=list)
    unchanged: int = 0
    erased: int = 0  # rows of members erased on request: never written again
    leaving: list[tuple[int, str]] = field(default_factory=list)  # (id, member number)


def _plan(reg: RegistryFile, frame: pd.DataFrame, bad: pd.Series, explicit: dict[int, int],
          orgs: associations.Associations, notes: list[Note], full: bool, today: date) -> _Plan:
    """Compare every good row with what exists (one SELECT) and sort it into insert, update or unchanged.

    Only columns the file has are compared, so a file without e-mail addresses never erases them. The
    association: the file's, else the member's current one, else the postcode table's.
    """
    existing = {r.member_number: r for r in db.session.execute(
        sa.select(Member.id, Member.member_number, Member.status, *(getattr(Member, c) for c in COMPARED)))}
    provided = ["first_name", "last_name", *(c for c in COMPARED[2:-1] if c in frame)]
    plan = _Plan()
    erased = privacy.erased_keys()
    own = corrections.kept_corrections()
    for row, rec, is_bad in zip(frame.index.tolist(), to_records(frame), bad.tolist(), strict=True):
        if is_bad:
            continue
        if erased and privacy.erasure_key(rec["member_number"]) in erased:
            plan.erased += 1  # the number stays out of the report too: it was erased
            notes.append(Note(row, reg.headers["member_number"], "",
                              _("Medlemmen har raderats på begäran och läggs inte in igen."), problem=False))
            continue
        old = existing.get(rec["member_number"])
        values = {name: rec.get(name) for name in provided}
        values["association_id"] = (explicit.get(row) or (old.association_id if old is not None else None)
                                    or associations.from_table(reg, orgs, row, rec, notes))
        if old is None:
            plan.inserts.append({"member_number": rec["member_number"], "status": MemberStatus.ACTIVE,
                                 **values})
            continue
        changed = {name: value for name, value in values.items() if getattr(old, name) != value}
        for name in list(changed):
            if corrections.kept(own.get((old.id, name)), getattr(old, name), changed[name]):
                message = _("Behåller medlemmens egen rättelse från enkäten; filen har det gamla värdet.")
                notes.append(Note(row, reg.headers.get(name, name), str(changed.pop(name)), message,
                                  problem=False))
        if old.status is not MemberStatus.ACTIVE:
            changed.update(status=MemberStatus.ACTIVE, left_on=None)
            notes.append(Note(row, reg.headers["member_number"], rec["member_number"],
                              _("Åter i registret: markerad som aktiv igen."), problem=False))
        if changed:
            plan.updates.append({"id": old.id, **changed})
        else:
            plan.unchanged += 1
    if full:
        in_file = set(frame["member_number"].tolist())  # rows with problems count as present: never "left"
        plan.leaving = [(old.id, number) for number, old in existing.items()
                        if old.status is MemberStatus.ACTIVE and number not in in_file]
        message = _("Finns inte i filen: markerad som utträdd %(day)s.", day=today.isoformat())
        notes.extend(Note(None, reg.headers["member_number"], number, message, problem=False)
                     for _id, number in plan.leaving)
    return plan


def import_registry(data: bytes, filename: str, *, user: User | None = None, dry_run: bool = False,
                    strict: bool = False, full: bool = False, mapping: dict[str, str] | None = None,
                    today: date | None = None,
                    progress: Callable[[int, int], None] | None = None) -> ImportResult:
    """Read, check and (unless `dry_run` or refused by `strict`) upsert the file. Flushes, never commits.

    `progress(done, total)` is called as rows are checked and written. Raises RegistryFileError when the
    file as a whole cannot be used (unreadable, key columns missing, --full with no rows).
    """
    today = today or date.today()
    reg = read_registry(data, filename, mapping, current_app.config.get("REGISTRY_MAX_ROWS", MAX_ROWS))
    if full and reg.frame.empty:
        raise RegistryFileError(_("%(file)s: filen har inga rader; --full skulle markera alla medlemmar som "
                                  "utträdda.", file=filename))
    total, done = 2 * len(reg.frame), 0

    def advance(n: int) -> None:
        nonlocal done
        done += n
        if progress and n:
            progress(done, total)

    norm = normalize(reg, today, advance)
    frame, bad = norm.frame, norm.bad.copy()
    notes = [Note(1, h, "", _("Okänd kolumn: ignoreras."), problem=False) for h in reg.unknown] + norm.notes
    orgs = associations.Associations()
    explicit = associations.explicit(reg, frame, orgs, bad, notes)
    result = ImportResult(filename, rows=len(frame), dry_run=dry_run, unknown_columns=reg.unknown,
                          problems=sum(1 for n in notes if n.problem), skipped=int(bad.sum()))
    if strict and result.problems:
        result.refused, result.skipped = True, result.rows
        result.notes = sorted(notes, key=lambda n: n.row or 0)
        if not dry_run:
            _record(result, user)
        return result
    plan = _plan(reg, frame, bad, explicit, orgs, notes, full, today)
    result.created, result.updated, result.unchanged = len(plan.inserts), len(plan.updates), plan.unchanged
    result.marked_left, result.skipped = len(plan.leaving), result.skipped + plan.erased
    result.notes = sorted(notes, key=lambda n: (n.row is None, n.row or 0))
    if not dry_run:
        _write(plan, today, advance)
        _record(result, user)
    advance(total - done)
    return result


def _write(plan: _Plan, today: date, advance: Callable[[int], None]) -> None:
    """Executemany statements on the table only, no per-row queries.

    Core rather than ORM bulk statements: the ORM splits a batch wherever rows differ in which values are
    None or which columns changed, which on SQLite meant thousands of tiny statements. Updates are grouped
    by the set of changed columns so that each group is one executemany.
    """
    table = Member.__table__
    for chunk in _chunks(plan.inserts, WRITE_CHUNK):
        db.session.execute(sa.insert(table), chunk)
        advance(len(chunk))
    by_columns: dict[tuple[str, ...], list[dict]] = defaultdict(list)
    for update in plan.updates:
        by_columns[tuple(sorted(update))].append({"member_id": update.pop("id"), **update})
    statement = sa.update(table).where(table.c.id == sa.bindparam("member_id"))
    for group in by_columns.values():
        for chunk in _chunks(group, WRITE_CHUNK):
            db.session.execute(statement, chunk)
            advance(len(chunk))
    for chunk in _chunks([member_id for member_id, _n in plan.leaving], ID_CHUNK):
        db.session.execute(sa.update(table).where(table.c.id.in_(chunk))
                           .values(status=MemberStatus.LEFT, left_on=today))
    db.session.expire_all()  # bulk statements bypass the identity map; nothing stale may be read afterwards


def _record(result: ImportResult, user: User | None) -> None:
    """The import log entry with its report, and the audit event (counts only, no member data)."""
    counts = {"created": result.created, "updated": result.updated, "unchanged": result.unchanged,
              "marked_left": result.marked_left, "problems": result.problems}
    record = MemberImport(user_id=user.id if user else None, filename=result.filename[:255], rows=result.rows,
                          report_csv=result.report_csv(), **counts)
    db.session.add(record)
    db.session.flush()
    result.record = record
    audit.record(user, "import", "members", rows=result.rows, import_id=record.id, refused=result.refused,
                 **counts)
