"""What every print-out shares: the page header, Swedish (or English) dates and times, status words.

Dates go through Babel with the current locale (flask_babel: Swedish outside a request, the UI language
inside one), so a roster says "lördag 17 augusti" in Swedish and "Saturday 17 August" in English.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import format_date
from flask_babel import gettext as _

from survey.i18n import N_, STOCKHOLM
from survey.models import Assignment, AssignmentStatus, Organisation, Shift

# The roster and list words for an assignment's state; "replacement" is an ask made after a decline.
STATUS_WORDS = {
    "accepted": N_("tackat ja"),
    "asked": N_("tillfrågad"),
    "replacement": N_("ersättare tillfrågad"),
    "declined": N_("tackat nej"),
    "proposed": N_("föreslagen, inte publicerad"),
}
STATUSES = tuple(STATUS_WORDS)


@dataclass(frozen=True)
class Header:
    """The running header of every page: whose list it is, what it is, when it was printed."""

    scope: str  # "Timrå" or "Hela distriktet"
    title: str
    printed: str  # "2 december 2026"
    printed_iso: str  # the PDF's creation date


def header(association: Organisation | None, title: str, today: date | None = None) -> Header:
    today = today or local_today()
    return Header(association.name if association else _("Hela distriktet"), title, long_date(today),
                  today.isoformat())


def local_today() -> date:
    return datetime.now(STOCKHOLM).date()


def long_date(day: date) -> str:
    return format_date(day, "d MMMM y")


def weekday_date(day: date) -> str:
    """"lördag 17 augusti" (no year: print-outs cover one campaign)."""
    return format_date(day, "EEEE d MMMM")


def clock(shift: Shift) -> str:
    return f"{shift.start_local:%H:%M}–{shift.end_local:%H:%M}"


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def week_title(first: date) -> str:
    """"Vecka 34, 19–25 augusti"."""
    last = first + timedelta(days=6)
    span = (f"{first.day}–{format_date(last, 'd MMMM')}" if first.month == last.month
            else f"{format_date(first, 'd MMMM')} – {format_date(last, 'd MMMM')}")
    return _("Vecka %(n)d, %(span)s", n=first.isocalendar().week, span=span)


def status_key(assignment: Assignment, shift_has_decline: bool) -> str:
    """accepted, asked, replacement, declined or proposed. A published ask is a replacement when it was
    offered by hand ("Erbjud" on the replacements page: no run) on a shift where someone declined."""
    if assignment.status is AssignmentStatus.PUBLISHED:
        return "replacement" if assignment.run_id is None and shift_has_decline else "asked"
    return assignment.status.value


def status_word(key: str) -> str:
    return _(STATUS_WORDS[key])
