"""What administrators see of a survey: response rates per association, per-question summaries, exports.

Exports are pandas frames written by `survey.tabular`, which defuses cells a spreadsheet would run.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from survey.core.contacts import format_phone
from survey.extensions import db
from survey.models import (
    Answer,
    Member,
    Organisation,
    OrganisationKind,
    Question,
    Submission,
    SubmissionStatus,
    Survey,
)
from survey.spec import availability

if TYPE_CHECKING:  # pandas loads where a frame is built: the app starts without it
    import pandas as pd



@dataclass
class AssociationRow:
    name: str
    members: int
    submitted: int
    drafts: int

    @property
    def rate(self) -> float:
        return self.submitted / self.members if self.members else 0.0


def _only(query: sa.Select, association_ids: Collection[int] | None) -> sa.Select:
    """Restrict a select over Submission to members of these associations; None means no restriction.

    Callers pass `survey.core.access.association_ids(user)`, so an organizer's numbers and exports never
    include another association's members, nor open-link answers tied to no member.
    """
    if association_ids is None:
        return query
    return (query.join(Member, Submission.member_id == Member.id)
            .where(Member.association_id.in_(list(association_ids))))


def responses_per_association(survey: Survey,
                              association_ids: Collection[int] | None = None) -> list[AssociationRow]:
    """Members, submitted and started-but-unsent answers for each association (and for "no association").

    With `association_ids`, only those associations' rows (and no "no association" row).
    """
    members = dict(db.session.execute(
        sa.select(Member.association_id, sa.func.count()).group_by(Member.association_id)).all())
    counts: dict[tuple[int | None, SubmissionStatus], int] = {
        (a, s): n for a, s, n in db.session.execute(
            sa.select(Member.association_id, Submission.status, sa.func.count())
            .join(Member, Submission.member_id == Member.id)
            .where(Submission.survey_id == survey.id)
            .group_by(Member.association_id, Submission.status))
    }
    orgs = db.session.scalars(sa.select(Organisation).where(Organisation.kind == OrganisationKind.ASSOCIATION)
                              .order_by(Organisation.name)).all()
    rows = [AssociationRow(o.name, members.get(o.id, 0), counts.get((o.id, SubmissionStatus.SUBMITTED), 0),
                           counts.get((o.id, SubmissionStatus.DRAFT), 0)) for o in orgs
            if association_ids is None or o.id in association_ids]
    if association_ids is not None:
        return rows
    if members.get(None) or any(a is None for a, _s in counts):
        rows.append(AssociationRow("—", members.get(None, 0),
                                   counts.get((None, SubmissionStatus.SUBMITTED), 0),
                                   counts.get((None, SubmissionStatus.DRAFT), 0)))
    return rows


def district_total(rows: list[AssociationRow]) -> AssociationRow:
    return AssociationRow("", sum(r.members for r in rows), sum(r.submitted for r in rows),
                          sum(r.drafts for r in rows))


def unlinked_counts(survey: Survey) -> Counter:
    """Submitted open-link answer sheets by registry match status
    (matched, ambiguous, unmatched, anonymous)."""
    rows = db.session.execute(
        sa.select(Submission.registry_match, sa.func.count())
        .where(Submission.survey_id == survey.id, Submission.status == SubmissionStatus.SUBMITTED)
        .group_by(Submission.registry_match))
    return Counter({m.value: n for m, n in rows if m.value != "personal"})


@dataclass
class QuestionSummary:
    question: Question
    answered: int = 0
    counts: list[tuple[str, dict[str, str], int]] = field(default_factory=list)  # key, label, count
    levels: list[tuple[str, dict[str, str], int, int]] = field(default_factory=list)  # key, label, some, exp.
    numbers: dict[str, float] = field(default_factory=dict)
    texts: int = 0


def question_summaries(survey: Survey,
                       association_ids: Collection[int] | None = None) -> list[QuestionSummary]:
    """Counts per option, skill levels, number statistics, availability per week: no free text shown."""
    values: dict[int, list[Any]] = {}
    query = (sa.select(Answer.question_id, Answer.value).join(Submission)
             .where(Submission.survey_id == survey.id, Submission.status == SubmissionStatus.SUBMITTED))
    rows = db.session.execute(_only(query, association_ids))
    for qid, value in rows:
        values.setdefault(qid, []).append(value)
    result = []
    for q in survey.questions():
        if not q.is_answerable or q.prefill:  # registry details are not survey results
            continue
        vals = values.get(q.id, [])
        s = QuestionSummary(q, answered=len(vals))
        if q.type in ("single_choice", "multiple_choice"):
            c = Counter(k for v in vals for k in (v if isinstance(v, list) else [v]))
            s.counts = [(o.key, o.label, c[o.key]) for o in q.options]
        elif q.type in ("yes_no", "consent"):
            c = Counter(bool(v) for v in vals)
            s.counts = [("yes", {"sv": "Ja", "en": "Yes"}, c[True]),
                        ("no", {"sv": "Nej", "en": "No"}, c[False])]
        elif q.type == "skill":
            s.levels = [(o.key, o.label, sum(1 for v in vals if v.get(o.key) == 1),
                         sum(1 for v in vals if v.get(o.key) == 2)) for o in q.options]
        elif q.type == "number" and vals:
            import pandas as pd

            series = pd.Series(vals, dtype="float64")
            s.numbers = {"min": series.min(), "median": series.median(), "max": series.max(),
                         "sum": series.sum()}
        elif q.type == "availability":
            cal = availability.calendar_from_dict(q.calendar)
            # People free at some time in the week, not cells: "how many can we count on in week 34?"
            weeks = Counter(monday for v in vals for monday in {cell.split(":", 1)[0] for cell in v})
            s.counts = [(w.monday.isoformat(), w.label, weeks[w.monday.isoformat()])
                        for w in availability.campaign_weeks(cal)]
        else:
            s.texts = len(vals)
        result.append(s)
    return result


def submissions_frame(survey: Survey, lang: str = "sv",
                      association_ids: Collection[int] | None = None) -> pd.DataFrame:
    """One row per submitted answer sheet, one column per question (option keys, not display text)."""
    import pandas as pd

    subs = db.session.scalars(_only(
        sa.select(Submission).where(Submission.survey_id == survey.id,
                                    Submission.status == SubmissionStatus.SUBMITTED), association_ids)
        .order_by(Submission.submitted_at, Submission.id)).all()
    questions = [q for q in survey.questions() if q.is_answerable]
    records = []
    for sub in subs:
        m = sub.member
        by_q = {a.question_id: a.value for a in sub.answers}
        record = {
            "submission_id": sub.id,
            "submitted_at": sub.submitted_at.isoformat() if sub.submitted_at else "",
            "member_number": m.member_number if m else "",
            "name": m.full_name if m else (sub.signed_name or ""),
            "phone": format_phone(m.phone if m else sub.signed_phone),
            "email": (m.email if m else sub.signed_email) or "",
            "association": m.association.name if m and m.association else "",
            "registry_match": sub.registry_match.value,
        }
        for q in questions:
            record[_column(q)] = _cell(q, by_q.get(q.id))
        records.append(record)
    columns = [*REGISTRY_COLUMNS, *[_column(q) for q in questions]]
    return pd.DataFrame.from_records(records, columns=columns)


REGISTRY_COLUMNS = ("submission_id", "submitted_at", "member_number", "name", "phone", "email", "association",
                    "registry_match")


def _column(q: Question) -> str:
    """A question's export column: its key, prefixed when it would clash with a registry column."""
    return f"answer_{q.key}" if q.key in REGISTRY_COLUMNS else q.key


def _cell(q: Question, value: Any) -> Any:
    if value is None:
        return ""
    if q.type in ("multiple_choice", "availability"):
        return "; ".join(value)
    if q.type == "skill":
        return "; ".join(f"{k}={lvl}" for k, lvl in value.items() if lvl)
    if q.type in ("yes_no", "consent"):
        return "ja" if value else "nej"
    return value

if TYPE_CHECKING:  # pandas loads where a frame is built: the app starts without it
    import pandas as pd

