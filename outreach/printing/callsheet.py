"""The call sheet: a call list on paper, for a phone bank where callers dial from their own phones and
tick the outcome with a pen. One row per member in the order the queue would call them (due call-backs
first), the outcomes as tick boxes, room for notes; the list's script once at the top.

Its tick boxes are the outcomes the organizer can type back in afterwards (outreach.calllists.paper).
The rows come from `outreach.calllists.reports.call_sheet_rows`, which already leaves out everyone who
may not be called (do-not-contact, no number, erased, left), so paper never reaches further than the
screen does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import gettext as _

from outreach.calllists import reports
from outreach.calllists.paper import SHEET_OUTCOMES
from outreach.calllists.services import OUTCOMES
from outreach.printing.common import Header, header
from survey.models import CallList


@dataclass(frozen=True)
class CallSheet:
    head: Header
    title: str
    instructions: str
    script: str
    outcomes: list[str]
    rows: list[dict[str, Any]]

    @property
    def people(self) -> int:
        return len(self.rows)


def build(call_list: CallList, now: datetime) -> CallSheet:
    rows = reports.call_sheet_rows(call_list, now)
    association = call_list.associations[0] if len(call_list.associations) == 1 else None
    # The script is printed once, with a neutral name: the caller says the member's own.
    script = rows[0]["script"].replace(rows[0]["first_name"], "…") if rows and rows[0]["first_name"] else ""
    return CallSheet(
        head=header(association, _("Ringlista: %(title)s", title=call_list.title)),
        title=call_list.title,
        instructions=call_list.instructions or "",
        script=script,
        outcomes=[_(OUTCOMES[key]) for key in SHEET_OUTCOMES],
        rows=rows,
    )
