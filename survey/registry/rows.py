"""Judging registry values: one way to write each name, phone number, address, postcode and date, and a
report line for every value that cannot be trusted.

A district registry is 10^5 rows but far fewer distinct values per column (join dates, postcodes, first
names repeat), and phonenumbers and email-validator work one value at a time. So every column is judged
once per distinct raw value by a small plain function and the verdicts are mapped back onto the rows.
Ordinary Swedish numbers and plain addresses take a checked shortcut (`quick_phone`, `quick_email`); the
libraries (`contacts.normalize_phone`, `contacts.normalize_email`) judge everything else and have the
last word on whatever the shortcut does not accept.

No registry value is longer than its column in the members table (an e-mail address, 254 characters, is
the longest), so a cell over CELL_LIMIT characters is not a value but a damaged or hostile file: its row
is refused before any parser sees it, and notes quote at most `tabular.shorten`'s share of any value.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

import email_validator
import pandas as pd
from phonenumbers import PhoneMetadata

from survey.core.contacts import normalize_email, normalize_phone
from survey.registry.read import RegistryFile, _
from survey.tabular import shorten

CHUNK = 10_000
CELL_LIMIT = 1000
DUPLICATE_ROWS_SHOWN = 5  # "also row 7, 9, 12, 15, 20 …": a number in 10,000 rows would flood the report
MAX_LENGTH = {"first_name": 100, "last_name": 100, "address": 200, "city": 100, "municipality": 100,
              "association": 200}  # the columns' sizes in the members table
# A birth year outside these ages is a typo (or a date of joining in the wrong column).
MIN_AGE, MAX_AGE = 10, 110
_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"  # Excel's " 00:00:00"
_DATE = re.compile(rf"(\d{{4}})(?:([-/.])(\d{{1,2}})\2(\d{{1,2}})|(\d{{2}})(\d{{2}})){_TIME}")
_PLAIN_PHONE = re.compile(r"\+?\d[\d \-]*")
_SWEDISH = re.compile(r"(?:\+46|0046|0)([1-9]\d{5,11})")
_ATOM = r"[a-z0-9_+\-]+"
_LABEL = r"[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?"
_PLAIN_EMAIL = re.compile(rf"{_ATOM}(?:\.{_ATOM})*@(?:{_LABEL}\.)+[a-z]{{2,63}}", re.IGNORECASE)
_SPECIAL_USE = tuple("." + name for name in email_validator.SPECIAL_USE_DOMAIN_NAMES)  # ".test", ...
Verdict = tuple[Any, str | None]  # (clean value or None, problem message or None)


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


@lru_cache(maxsize=1)
def _swedish_rules() -> tuple[re.Pattern, frozenset[int], dict[int, re.Pattern]]:
    """SE's rules from phonenumbers' metadata: the general pattern and lengths, and per length one pattern
    joining every number type (fixed line, mobile, toll free, ...) that allows that length."""
    meta = PhoneMetadata.metadata_for_region("SE")
    general = meta.general_desc
    types = [d for d in (meta.premium_rate, meta.toll_free, meta.shared_cost, meta.voip, meta.personal_number,
                         meta.pager, meta.uan, meta.voicemail, meta.fixed_line, meta.mobile)
             if d is not None and d.national_number_pattern]
    by_length = {}
    for length in general.possible_length:
        patterns = [d.national_number_pattern for d in types
                    if not d.possible_length or length in d.possible_length]
        if patterns:
            by_length[length] = re.compile("|".join(f"(?:{p})" for p in patterns))
    return re.compile(general.national_number_pattern), frozenset(general.possible_length), by_length


def quick_phone(raw: str) -> str | None:
    """E.164 for a plainly written valid Swedish number, else None (meaning: ask phonenumbers).

    Plainly written: digits with spaces or hyphens after +46, 0046 or the national prefix 0, which
    phonenumbers parses to exactly those digits. Validity is phonenumbers' own rule (`is_valid_number`:
    the general description and one number type, each with its possible lengths) read from its metadata,
    so it follows library updates.
    """
    if not _PLAIN_PHONE.fullmatch(raw):
        return None
    match = _SWEDISH.fullmatch(raw.replace(" ", "").replace("-", ""))
    if match is None:
        return None
    nsn = match.group(1)
    general, lengths, by_length = _swedish_rules()
    valid = len(nsn) in lengths and len(nsn) in by_length and general.fullmatch(nsn)
    return "+46" + nsn if valid and by_length[len(nsn)].fullmatch(nsn) else None


def quick_email(raw: str) -> str | None:
    """The lower-cased address when it is plainly valid ASCII, else None (meaning: ask email-validator).

    Plainly valid: dot-atoms of letters, digits, "_", "+" and "-", DNS labels of at most 63 characters,
    a letter-only top-level domain that is not special-use, no "--" (Punycode rules), at most 254
    characters: a subset of what email-validator accepts, normalized the way `normalize_email` does.
    """
    if len(raw) > 254 or "--" in raw.partition("@")[2] or not _PLAIN_EMAIL.fullmatch(raw):
        return None
    local, _at, domain = raw.lower().partition("@")
    if len(local) > 64 or ("." + domain).endswith(_SPECIAL_USE):
        return None
    return f"{local}@{domain}"


def _text(limit: int) -> Callable[[str], Verdict]:
    def judge(raw: str) -> Verdict:
        value = " ".join(raw.split())
        return value, (_("För långt: högst %(n)d tecken.", n=limit) if len(value) > limit else None)

    return judge


def _absurd(raw: str) -> Verdict:
    return None, _("Orimligt långt värde: %(n)d tecken (högst %(max)d). Är filen trasig?", n=len(raw),
                   max=CELL_LIMIT)


def _member_number(raw: str) -> Verdict:
    value = "".join(raw.split())
    if value.endswith(".0") and value[:-2].isdigit():  # a number that went through Excel
        value = value[:-2]
    return value, (_("För långt: högst %(n)d tecken.", n=32) if len(value) > 32 else None)


def _phone(raw: str) -> Verdict:
    value = quick_phone(raw) or normalize_phone(raw)
    if value:
        return value, None
    return None, _("Inte ett giltigt telefonnummer (skriv t.ex. 070-123 45 67 eller +46 70 123 45 67).")


def _email(raw: str) -> Verdict:
    value = quick_email(raw) or normalize_email(raw)
    return value, None if value else _("Inte en giltig e-postadress.")


def _postcode(raw: str) -> Verdict:
    value = re.sub(r"^SE-?|[ \-]|\.0$", "", raw.upper())
    if len(value) == 5 and value.isdigit():
        return value, None
    return None, _("Postnumret ska ha fem siffror (t.ex. 852 30).")


def parse_date(raw: str) -> date | None:
    """2019-03-01, 2019/3/1, 2019.03.01, 20190301, and Excel's "2019-03-01 00:00:00"; None otherwise."""
    m = _DATE.fullmatch(raw.strip())
    if m is None:
        return None
    month, day = (m.group(3), m.group(4)) if m.group(2) else (m.group(5), m.group(6))
    try:
        return date(int(m.group(1)), int(month), int(day))
    except ValueError:
        return None


def _joined(today: date) -> Callable[[str], Verdict]:
    def judge(raw: str) -> Verdict:
        value = parse_date(raw)
        if value is None:
            return None, _("Okänt datum; skriv t.ex. 2019-03-01 eller 20190301.")
        return value, _("Inträdesdatumet ligger i framtiden.") if value > today else None

    return judge


def _birth_year(today: date, from_date: bool) -> Callable[[str], Verdict]:
    low, high = today.year - MAX_AGE, today.year - MIN_AGE

    def judge(raw: str) -> Verdict:
        if from_date:
            born = parse_date(raw)
            if born is None:
                return None, _("Okänt datum; skriv t.ex. 1985-03-12 eller 19850312.")
            year = born.year
        else:
            text = raw.removesuffix(".0")
            if not (len(text) == 4 and text.isdigit()):
                return None, _("Födelseåret ska vara fyra siffror (t.ex. 1985).")
            year = int(text)
        if not low <= year <= high:
            return None, _("Födelseåret är inte rimligt (ska ligga mellan %(low)d och %(high)d).",
                           low=low, high=high)
        return year, None

    return judge


def split_name(raw: str) -> tuple[str, str]:
    """("Anna Maria", "Berg") from "Anna Maria Berg" or "Berg, Anna Maria"; a part is "" when missing."""
    text = " ".join(raw.split())
    if "," in text:
        last, _c, first = text.partition(",")
        return first.strip(), last.strip()
    first, _s, last = text.rpartition(" ")
    return first, last


class _Chunk:
    """Judges one chunk of rows column by column, collecting problem notes; caches span chunks."""

    def __init__(self, reg: RegistryFile, raw: pd.DataFrame, caches: dict[str, dict]) -> None:
        self.reg, self.raw, self.caches = reg, raw, caches
        self.index = raw.index.tolist()
        self.bad = [False] * len(raw)
        self.notes: list[Note] = []
        self.out: dict[str, list] = {}

    def judge(self, name: str, judge: Callable[[str], Verdict], target: str | None = None) -> None:
        cache = self.caches.setdefault(f"{name}:{target}", {"": (None, None)})
        raws = self.raw[name].tolist()
        verdicts = []
        for raw in raws:
            verdict = cache.get(raw)
            if verdict is None:
                verdict = cache[raw] = judge(raw) if len(raw) <= CELL_LIMIT else _absurd(raw)
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
                    if len(full) > CELL_LIMIT:
                        self.problem(i, headers["full_name"], full, _absurd(full)[1])
                        given_first[i] = given_last[i] = True
                        continue
                    split = splits.get(full) or splits.setdefault(full, split_name(full))
                    first[i], last[i] = first[i] or split[0] or None, last[i] or split[1] or None
        for i in range(n):
            if not first[i] and not given_first[i]:
                self.problem(i, headers.get("first_name") or headers["full_name"], "", _("Förnamn saknas."))
            if not last[i] and not given_last[i]:
                self.problem(i, headers.get("last_name") or headers["full_name"], "", _("Efternamn saknas."))
        self.out["first_name"], self.out["last_name"] = first, last


def _chunk(reg: RegistryFile, raw: pd.DataFrame, today: date, caches: dict[str, dict]) -> _Chunk:
    c = _Chunk(reg, raw, caches)
    c.judge("member_number", _member_number)
    for name, limit in MAX_LENGTH.items():
        if name in raw:
            c.judge(name, _text(limit))
    c.names()
    for name, judge in (("phone", _phone), ("email", _email), ("postcode", _postcode),
                        ("joined_on", _joined(today))):
        if name in raw:
            c.judge(name, judge)
    if "birth_date" in raw:
        c.judge("birth_date", _birth_year(today, True), target="birth_year")
    if "birth_year" in raw:  # the year column wins where both are given
        from_date = c.out.get("birth_year")
        c.judge("birth_year", _birth_year(today, False))
        if from_date:
            c.out["birth_year"] = [y if y is not None else d
                                   for y, d in zip(c.out["birth_year"], from_date, strict=True)]
    for i, (number, raw_number) in enumerate(zip(c.out["member_number"], raw["member_number"], strict=True)):
        if not number and len(raw_number) <= CELL_LIMIT:  # an absurd one has its note already
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
