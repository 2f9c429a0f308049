"""What a survey page shows, read in one Core query: the link, its survey's plan, the sheet, its answers.

A second way to read what survey/respond/services.py reads through the ORM, for one reason: the GET of a
survey page is the hottest path of the whole app (every member, every page, on a phone), and building ORM
objects for the link, the survey, the member, the sheet and its answers cost three times what the one
query costs (in-process, SQLite: 0.30 ms against 0.09 ms a page; issue 12). So pages that only read get
these frozen rows, with the attribute names of the models (`status`, `answers`, `member` ...) that the
walk and the templates read. Anything that writes (a page's POST, the signature, sending) loads the ORM
rows instead (views._load), so there is never a snapshot to save.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from survey.extensions import db
from survey.models import Answer, Member, RegistryMatch, Submission, SubmissionStatus, Survey, SurveyLink
from survey.respond import links
from survey.respond.plan import IDENTITY_COLUMNS, SurveyPlan, plan_by_identity


@dataclass(frozen=True, slots=True)
class AnswerRow:
    question_id: int
    value: Any


@dataclass(frozen=True, slots=True)
class SheetRow:
    id: int
    survey: SurveyPlan
    member_id: int | None
    status: SubmissionStatus
    registry_match: RegistryMatch
    resume_section: str | None
    submitted_at: datetime | None
    signed_name: str | None
    signed_phone: str | None
    signed_email: str | None
    answers: tuple[AnswerRow, ...]

    @property
    def member(self) -> Member | None:
        """The member, loaded on use: only a greeting or a prefill needs them (the session keeps it)."""
        return db.session.get(Member, self.member_id) if self.member_id is not None else None


@dataclass(frozen=True, slots=True)
class LinkRow:
    id: int
    member_id: int | None
    survey: SurveyPlan


_L, _S, _SUB, _A = SurveyLink.__table__, Survey.__table__, Submission.__table__, Answer.__table__
_SURVEY = tuple(_S.c[name] for name in IDENTITY_COLUMNS)
_SHEET = tuple(_SUB.c[name] for name in ("id", "member_id", "status", "registry_match", "resume_section",
                                         "submitted_at", "signed_name", "signed_phone", "signed_email"))
# Built once, with bind parameters (see links._BY_HASH); the sheet's key is the one open_submission makes.
_PAGE = (
    sa.select(_L.c.id, _L.c.member_id, *_SURVEY, *_SHEET, _A.c.question_id, _A.c.value)
    .select_from(
        _L.join(_S, _S.c.id == _L.c.survey_id)
        .outerjoin(_SUB, sa.and_(_SUB.c.survey_id == _L.c.survey_id,
                                 _SUB.c.respondent_key == links.sheet_key()))
        .outerjoin(_A, _A.c.submission_id == _SUB.c.id)
    )
    .where(_L.c.token_hash == sa.bindparam("token_hash"))
    .order_by(_A.c.id)
)


def _reader():
    """Where the page's read runs. On PostgreSQL outside a transaction: BEGIN and ROLLBACK were two of a
    page's four round trips to the server (with the pool's ping and the query), each costing about as much
    as the query. A page that writes reads the ORM rows instead, after closing this read (views._load),
    so nothing it writes can land outside a transaction; on SQLite a read starts no transaction anyway."""
    session = db.session()
    if session.in_transaction() or session.get_bind().dialect.name != "postgresql":
        return session
    return session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


def read(token: str) -> tuple[LinkRow | None, SheetRow | None]:
    """The link and its sheet for a token; (None, None) for an unknown or malformed token, and no sheet
    when the link has none yet (then the page makes one: views._load)."""
    if not links.valid_token(token):
        return None, None
    rows = _reader().execute(_PAGE, {"token_hash": links.hash_token(token)}).all()
    if not rows:
        return None, None
    first = rows[0]
    n, m = len(_SURVEY), len(_SHEET)
    identity = tuple(first[2:2 + n])
    plan = plan_by_identity(identity, lambda: db.session.get(Survey, identity[0]))
    link = LinkRow(first[0], first[1], plan)
    sheet = first[2 + n:2 + n + m]
    if sheet[0] is None:
        return link, None
    answers = tuple(AnswerRow(r[-2], r[-1]) for r in rows if r[-2] is not None)
    return link, SheetRow(sheet[0], plan, *sheet[1:], answers=answers)
