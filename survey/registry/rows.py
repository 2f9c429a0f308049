"""Judging registry values: one way to write each name, phone number, address, postcode and date, and a
report line for every value that cannot be trusted.

A district registry is 10^5 rows but far fewer distinct values per column (join dates, postcodes, first
names repeat), and phonenumbers and email-validator work one value at a time. So every column is judged
once per distinct raw value by a small plain function (survey/registry/cells.py) and the verdicts are
mapped back onto the rows.

No registry value is longer than its column in the members table (an e-mail address, 254 characters, is
the longest), so a cell over `cells.CELL_LIMIT` characters is not a value but a damaged or hostile file:
its row is refused before any parser sees it, and notes quote at most `tabular.shorten`'s share of any value.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from survey.registry import cells
from survey.registry.read import RegistryFile, _
from survey.tabular import shorten

CHUNK = 10_000
DUPLICATE_ROWS_SHOWN = 5  # "also row 7, 9, 12, 15, 20 …": a number in 10,000 rows would flood the report


@dataclass
class Note:
    """One line of the import report. `problem` lines cost the row its import; the others only inform."""

    row: int | None  # as in the file, the header being row 1; None for members not in the file
    column: str
    value: str
    message: str
    problem: bool = True

    def __post_init__(self) -> None:
        # The report is printed, shown and stored: a 50 MB cell must not make a 50 MB report.
        self.column, self.value = shorten(self.column), shorten(self.value)


@dataclass
class Normalized:
    frame: pd.DataFrame  # our fields as Python values: str, date, int or None
    bad: pd.Series  # True for rows with a problem (they are skipped)
    notes: list[Note] = field(default_factory=list)


class _Chunk:
    """Judges one chunk of rows column by column, collecting problem notes; caches span chunks."""

    def __init__(self, reg: RegistryFile, raw: pd.DataFrame, caches: dict[str, dict]) -> None:
        self.reg, self.raw, self.caches = reg, raw, caches
        self.index = raw.index.tolist()
        self.bad = [False] * len(raw)
        self.notes: list[Note] = []
        self.out: dict[str, list] = {}

    def judge(self, name: str, judge: Callable[[str], cells.Verdict], target: str | None = None) -> None:
        cache = self.caches.setdefault(f"{name}:{target}", {"": (None, None)})
        raws = self.raw[name].tolist()
        verdicts = []
        for raw in raws:
            verdict = cache.get(raw)
            if verdict is None:
                verdict = cache[raw] = judge(raw) if len(raw) <= cells.CELL_LIMIT else cells.absurd(raw)
            verdicts.append(verdict)
        self.out[target or name] = [v for v, _m in verdicts]
        for i, (_v, message) in enumerate(verdicts):
            if message is not None:
                self.problem(i, self.reg.headers[name], raws[i], message)

    def problem(self, i: int, column: str, value: str, message: str) -> None:
        self.bad[i] = True
        self.notes.append(Note(self.index[i], column, value, message))

    def names(self) -> None:
        """First and last names from their columns, else split from a full name; both are required.

        "Missing" only where nothing was given: a name refused as too long has its own note already.
        """
        n, headers = len(self.index), self.reg.headers
        first, last = self.out.get("first_name", [None] * n), self.out.get("last_name", [None] * n)
        given_first, given_last = ((self.raw[name] != "").tolist() if name in self.raw else [False] * n
                                   for name in ("first_name", "last_name"))
        if "full_name" in self.raw:
            splits = self.caches.setdefault("full_name", {})
            for i, full in enumerate(self.raw["full_name"].tolist()):
                if full and not (first[i] and last[i]):
                    if len(full) > cells.CELL_LIMIT:
                        self.problem(i, headers["full_name"], full, cells.absurd(full)[1])
                        given_first[i] = given_last[i] = True
                        continue
                    split = splits.get(full) or splits.setdefault(full, cells.split_name(full))
                    first[i], last[i] = first[i] or split[0] or None, last[i] or split[1] or None
        for i in range(n):
            if not first[i] and not given_first[i]:
                self.problem(i, headers.get("first_name") or headers["full_name"], "", _("Förnamn saknas."))
            if not last[i] and not given_last[i]:
                self.problem(i, headers.get("last_name") or headers["full_name"], "", _("Efternamn saknas."))
        self.out["first_name"], self.out["last_name"] = first, last


def _chunk(reg: RegistryFile, raw: pd.DataFrame, today: date, caches: dict[str, dict]) -> _Chunk:
    c = _Chunk(reg, raw, caches)
    c.judge("member_number", cells.member_number)
    for name, limit in cells.MAX_LENGTH.items():
        if name in raw:
            c.judge(name, cells.text(limit))
    c.names()
    for name, judge in (("phone", cells.phone), ("email", cells.email), ("postcode", cells.postcode),
                        ("joined_on", cells.joined(today))):
        if name in raw:
            c.judge(name, judge)
    if "birth_date" in raw:
        c.judge("birth_date", cells.birth_year(today, True), target="birth_year")
    if "birth_year" in raw:  # the year column wins where both are given
        from_date = c.out.get("birth_year")
        c.judge("birth_year", cells.birth_year(today, False))
        if from_date:
            c.out["birth_year"] = [y if y is not None else d
                                   for y, d in zip(c.out["birth_year"], from_date, strict=True)]
    for i, (number, raw_number) in enumerate(zip(c.out["member_number"], raw["member_number"], strict=True)):
        if not number and len(raw_number) <= cells.CELL_LIMIT:  # an absurd one has its note already
            c.problem(i, reg.headers["member_number"], "", _("Medlemsnummer saknas."))
    return c


def _duplicate_numbers(reg: RegistryFile, numbers: pd.Series, notes: list[Note]) -> pd.Series:
    """Rows sharing a member number: all of them are problems, since which one is right is unknowable."""
    dup = numbers.duplicated(keep=False) & numbers.notna()
    if dup.any():
        rows_by_number = numbers[dup].groupby(numbers[dup]).groups
        shown = {number: (rows[: DUPLICATE_ROWS_SHOWN + 1].tolist(), len(rows))
                 for number, rows in rows_by_number.items()}
        for row, number in numbers[dup].items():
            first, total = shown[number]
            others = ", ".join([str(r) for r in first if r != row][:DUPLICATE_ROWS_SHOWN])
            if total - 1 > DUPLICATE_ROWS_SHOWN:
                others += " …"
            notes.append(Note(int(row), reg.headers["member_number"], number,
                              _("Medlemsnumret finns flera gånger i filen (även rad %(rows)s).",
                                rows=others)))
    return dup


def normalize(reg: RegistryFile, today: date, progress: Callable[[int], None] | None = None) -> Normalized:
    """Clean every column of `reg`; rows with any problem are marked bad and listed, never half-imported."""
    caches: dict[str, dict] = {}
    columns: dict[str, list] = {}
    notes: list[Note] = []
    bad: list[bool] = []
    for start in range(0, len(reg.frame), CHUNK):
        chunk = _chunk(reg, reg.frame.iloc[start:start + CHUNK], today, caches)
        for name, values in chunk.out.items():
            columns.setdefault(name, []).extend(values)
        notes.extend(chunk.notes)
        bad.extend(chunk.bad)
        if progress:
            progress(len(chunk.index))
    index = reg.frame.index
    frame = pd.DataFrame({name: pd.Series(values, index=index, dtype=object)
                          for name, values in columns.items()}, index=index)
    bad_rows = pd.Series(bad, index=index, dtype=bool)
    if len(frame):
        bad_rows |= _duplicate_numbers(reg, frame["member_number"], notes)
    notes.sort(key=lambda note: note.row or 0)
    return Normalized(frame, bad_rows, notes)


def to_records(frame: pd.DataFrame) -> list[dict]:
    """Rows as dicts of plain Python values (the frame already holds None, str, date and int)."""
    names = list(frame.columns)
    columns = (frame[n].tolist() for n in names)
    return [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)]
