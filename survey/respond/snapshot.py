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

from survey.core import dbpool
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


@dataclass(frozen=True, slots=True)
class _Compiled:
    """The page query as one dialect's driver takes it, with each column's conversion to Python."""

    compiled: sa.engine.Compiled  # .string is what the driver executes
    convert: tuple  # per column: SQLAlchemy's result processor, or None where the driver's value is it

    @classmethod
    def for_dialect(cls, dialect) -> _Compiled:
        compiled = _PAGE.compile(dialect=dialect)
        convert = tuple(column.type.dialect_impl(dialect).result_processor(dialect, None)
                        for column in _PAGE.selected_columns)
        return cls(compiled, convert)

    def parameters(self, token_hash: str):
        params = self.compiled.construct_params({"token_hash": token_hash})
        positions = self.compiled.positiontup
        return tuple(params[name] for name in positions) if self.compiled.positional else params

    def rows(self, raw: list[tuple]) -> list[tuple]:
        """The rows as SQLAlchemy would give them: every column of the first (the link, the survey and
        the sheet, the same on every row), only the answer's value on the others."""
        if not raw:
            return []
        first = tuple(value if f is None or value is None else f(value)
                      for f, value in zip(self.convert, raw[0], strict=True))
        value_of = self.convert[-1]
        if value_of is None:
            return [first, *raw[1:]]
        return [first, *((*r[:-1], None if r[-1] is None else value_of(r[-1])) for r in raw[1:])]


_COMPILED: dict[str, _Compiled] = {}


def _rows(token_hash: str) -> list:
    """The page query's rows. Outside a transaction straight through the driver: SQLAlchemy's Core
    execution (a Connection, the statement cache, the result's metadata from the cursor's twenty columns)
    cost more CPU than the driver's own execute and fetch (PostgreSQL: 174 against 71 us a page; issue
    12), for a statement that never changes. Its conversions are still SQLAlchemy's (`_Compiled`), and
    tests compare every reading page with the ORM's. On PostgreSQL the connection comes from the
    autocommit read engine (survey/core/dbpool.py): no BEGIN and ROLLBACK round trips, no switching a
    pooled connection into autocommit and back. A request that already wrote reads through its own
    transaction, to see its writes; one that writes after this read loads the ORM rows in a transaction
    of its own (views._load)."""
    # Only a session the request already made can hold a transaction: asking a new one would make it.
    if db.session.registry.has() and db.session().in_transaction():
        return db.session.execute(_PAGE, {"token_hash": token_hash}).all()
    engine = dbpool.read_engine() or db.engine
    page = _COMPILED.get(engine.dialect.name)
    if page is None:
        page = _COMPILED.setdefault(engine.dialect.name, _Compiled.for_dialect(engine.dialect))
    connection = engine.raw_connection()
    try:
        raw = execute(connection, page.compiled.string, page.parameters(token_hash))
    except Exception as exc:
        # What SQLAlchemy's own execution does: a connection that failed is never handed out again, and
        # when the server went away (a restart) none of the pooled ones are; the next page connects anew.
        connection.invalidate(exc)
        if engine.dialect.is_disconnect(exc, None, None):
            engine.dispose()
        raise
    finally:
        connection.close()  # back to the pool (which ends SQLite's read; the read engine has nothing to end)
    return page.rows(raw)


def execute(connection, sql: str, parameters) -> list[tuple]:
    """One statement on a driver connection, all its rows (the one place this module talks to the driver;
    tests count statements here as well as in SQLAlchemy's events)."""
    cursor = connection.cursor()
    try:
        cursor.execute(sql, parameters)
        return cursor.fetchall()
    finally:
        cursor.close()


def read(token: str) -> tuple[LinkRow | None, SheetRow | None]:
    """The link and its sheet for a token; (None, None) for an unknown or malformed token, and no sheet
    when the link has none yet (then the page makes one: views._load)."""
    if not links.valid_token(token):
        return None, None
    rows = _rows(links.hash_token(token))
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
