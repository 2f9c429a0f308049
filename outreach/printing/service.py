"""Print a document for a user: build its data, render it, audit who printed which list. Flushes only.

The web and the CLI both come through here, so every print is in the audit log the same way as an
export ("print", "matches:timra", rows = people on the paper), with its filters and page count.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from outreach.printing import filters, letters, matches, rosters, summary
from survey.core import audit
from survey.models import Organisation, Survey, User, utcnow

DOCUMENTS = ("matches", "rosters", "letters", "summary")


@dataclass(frozen=True)
class Printed:
    pdf: bytes
    filename: str
    rows: int


def _filename(kind: str, association: Organisation | None) -> str:
    return f"{kind}-{association.slug if association else 'distriktet'}-{utcnow():%Y%m%d}.pdf"


def _finish(user: User | None, kind: str, doc: Any, association: Organisation | None, rows: int,
            **detail: Any) -> Printed:
    from outreach.printing import render  # weasyprint: loaded when printing, not at start-up

    pdf = render.render_pdf(f"print/{kind}.html", doc=doc, head=doc.head)
    scope = association.slug if association else "district"
    audit.record(user, "print", f"{kind}:{scope}", rows=rows,
                 association_id=association.id if association else None,
                 **{k: v for k, v in detail.items() if v not in (None, "", [], ())})
    return Printed(pdf, _filename(kind, association), rows)


def print_matches(user: User | None, association: Organisation | None, period: filters.Period,
                  statuses: tuple[str, ...] | None = None, description: str = "", **detail: Any) -> Printed:
    doc = matches.build(user, association, period, statuses, description)
    return _finish(user, "matches", doc, association, doc.people, statuses=list(statuses or ()), **detail)


def print_rosters(user: User | None, association: Organisation | None, period: filters.Period,
                  shift_ids: set[int] | None = None, progress: Callable[[Iterable], Iterable] | None = None,
                  **detail: Any) -> Printed:
    doc = rosters.build(user, association, period, shift_ids, progress)
    shifts = sorted(r.shift_id for r in doc.rosters)
    return _finish(user, "rosters", doc, association, doc.people,
                   shifts=shifts if len(shifts) <= 20 else len(shifts), **detail)


def print_letters(user: User | None, association: Organisation | None, period: filters.Period,
                  member_ids: set[int] | None = None, without_email: bool = True,
                  progress: Callable[[Iterable], Iterable] | None = None, **detail: Any) -> Printed:
    """Issues fresh links (see letters.py): the caller commits after the PDF is in hand."""
    doc = letters.build(user, association, period, member_ids, without_email, progress)
    who = sorted(member_ids) if member_ids and len(member_ids) <= 5 else None
    return _finish(user, "letters", doc, association, doc.people, members=who,
                   without_email=without_email, **detail)


def print_summary(user: User | None, survey: Survey, association: Organisation | None,
                  ids: set[int] | None) -> Printed:
    doc = summary.build(survey, association, ids)
    return _finish(user, "summary", doc, association, 0, survey=survey.slug,
                   associations=sorted(ids) if ids is not None else None)


def print_call_sheet(user: User | None, call_list: Any, now: Any, **detail: Any) -> Printed:
    """A call list on paper (outreach.printing.callsheet); audited like the list's exports."""
    from outreach.printing import callsheet

    doc = callsheet.build(call_list, now)
    association = call_list.associations[0] if len(call_list.associations) == 1 else None
    return _finish(user, "callsheet", doc, association, doc.people, call_list=call_list.id, **detail)
