"""The availability grid: campaign weeks x time slots (see CalendarSpec in survey.spec.model).

An answer to an availability question is a list of cell ids ``"YYYY-MM-DD:slot_key"``, where the
date is the Monday of a campaign week. ``intervals`` turns cells into concrete local times.
Pure: no Flask, no database, no locale.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from survey.spec.model import CalendarSpec, Text, calendar_to_dict
from survey.spec.parse import calendar_from_dict

__all__ = [
    "Week", "calendar_from_dict", "calendar_to_dict", "campaign_weeks", "cell_id", "intervals",
    "parse_cell_id", "valid_cells", "week_of",
]

MONTHS_SV = ("jan", "feb", "mars", "apr", "maj", "juni", "juli", "aug", "sep", "okt", "nov", "dec")
MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
CELL_RE = re.compile(r"^(\d{4}-\d{2}-\d{2}):([a-z][a-z0-9_]*)$")


@dataclass(frozen=True)
class Week:
    monday: date
    number: int  # ISO week number
    label: Text  # {"sv": "v. 32 (4–10 aug)", "en": "wk 32 (4–10 Aug)"}


def _span(monday: date, months: tuple[str, ...]) -> str:
    sunday = monday + timedelta(days=6)
    if monday.month == sunday.month:
        return f"{monday.day}–{sunday.day} {months[sunday.month - 1]}"
    return f"{monday.day} {months[monday.month - 1]}–{sunday.day} {months[sunday.month - 1]}"


def week_of(monday: date) -> Week:
    number = monday.isocalendar().week
    return Week(monday, number, {"sv": f"v. {number} ({_span(monday, MONTHS_SV)})",
                                 "en": f"wk {number} ({_span(monday, MONTHS_EN)})"})


def campaign_weeks(cal: CalendarSpec) -> list[Week]:
    """The ``cal.weeks`` ISO weeks up to and including the week of election day, oldest first."""
    last = cal.election_day - timedelta(days=cal.election_day.weekday())
    return [week_of(last - timedelta(weeks=n)) for n in range(cal.weeks - 1, -1, -1)]


def cell_id(monday: date, slot_key: str) -> str:
    if not isinstance(monday, date) or isinstance(monday, datetime) or monday.weekday() != 0:
        raise ValueError(f"not a Monday: {monday!r}")
    if not isinstance(slot_key, str) or not re.fullmatch(r"[a-z][a-z0-9_]*", slot_key):
        raise ValueError(f"invalid slot key: {slot_key!r}")
    return f"{monday.isoformat()}:{slot_key}"


def parse_cell_id(s: str) -> tuple[date, str]:
    """``"2030-08-05:weekday_evenings"`` -> (date(2030, 8, 5), "weekday_evenings").

    Raises ValueError unless ``s`` is a well-formed id whose date is a Monday."""
    m = CELL_RE.fullmatch(s) if isinstance(s, str) else None
    if not m:
        raise ValueError(f"invalid availability cell id: {s!r}")
    try:
        monday = date.fromisoformat(m.group(1))
    except ValueError:
        raise ValueError(f"invalid date in availability cell id: {s!r}") from None
    if monday.weekday() != 0:
        raise ValueError(f"availability cell id must start with a Monday: {s!r}")
    return monday, m.group(2)


def valid_cells(cal: CalendarSpec) -> set[str]:
    return {cell_id(w.monday, slot.key) for w in campaign_weeks(cal) for slot in cal.slots}


def intervals(cal: CalendarSpec, cells: Iterable[str]) -> list[tuple[datetime, datetime]]:
    """Naive local (start, end) times for the chosen cells: one interval per slot day in the
    cell's week, none after election day, sorted, with touching or overlapping ones merged.
    Raises ValueError for a cell id that is malformed or not in this calendar."""
    valid, slots = valid_cells(cal), {s.key: s for s in cal.slots}
    raw = []
    for cell in cells:
        monday, key = parse_cell_id(cell)
        if cell not in valid:
            raise ValueError(f"availability cell {cell!r} is not in this calendar")
        slot = slots[key]
        for wd in slot.days:
            day = monday + timedelta(days=wd)
            if day <= cal.election_day:
                raw.append((datetime.combine(day, slot.start), datetime.combine(day, slot.end)))
    merged: list[tuple[datetime, datetime]] = []
    for start, end in sorted(raw):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged
