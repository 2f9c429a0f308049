"""Which week the match page shows: one week of a hundred shifts is what an organizer can work through,
so the page opens on the week with their own work and, after a run, on the week of the first proposal.
"""

from __future__ import annotations

from datetime import date, timedelta

from outreach.match import services as assign
from outreach.tasks import calendar
from survey.models import Organisation, Shift, User


def choose_week(
    shifts: list[Shift], asked: str, today: date, own: list[Shift] | None = None
) -> tuple[list[date], date | None]:
    """The weeks that have shifts, and the one to show: `asked` ("all": every week, else any day of the
    week), else the week `calendar.opening_week` picks from the scope's `own` shifts (the district-wide
    ones an organizer also sees are not theirs to act on), so the page opens where there is work."""
    mondays = sorted({_monday(s) for s in shifts})
    if asked == "all" or not mondays:
        return mondays, None
    try:
        day = date.fromisoformat(asked)
        return mondays, day - timedelta(days=day.weekday())
    except ValueError:
        return mondays, calendar.opening_week(sorted({_monday(s) for s in own or []}) or mondays, today)


def _monday(shift: Shift) -> date:
    return shift.start_local.date() - timedelta(days=shift.start_local.weekday())


def first_proposal(viewer: User, association: Organisation | None) -> Shift | None:
    """The earliest shift with a proposal the viewer may act on: where to look after a run."""
    asks = assign.proposed(association, assign.manageable_shift_ids(viewer, association))
    return min((a.shift for a in asks), key=lambda s: (s.start_local, s.id), default=None)
