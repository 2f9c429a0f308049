"""What an organizer reads on a member's page: their answers in words, their tasks, calls and networks.

Only the latest answer sheet per survey is shown (a member who answered twice changed their mind), section
by section in the survey's own order, with unanswered questions left out. The page is for the member's own
association (access is checked by the view with `member_or_404`); reading it is audited there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from survey.extensions import db
from survey.models import (
    Assignment,
    Call,
    CallTarget,
    Member,
    NetworkMembership,
    Organisation,
    Question,
    Section,
    Shift,
    Submission,
    SubmissionStatus,
    Survey,
)


@dataclass
class SurveyAnswers:
    survey: Survey
    submission: Submission | None  # the latest sheet, sent or not
    sections: list[tuple[Section, list[tuple[Question, Any]]]] = field(default_factory=list)

    @property
    def submitted(self) -> bool:
        return self.submission is not None and self.submission.status is SubmissionStatus.SUBMITTED


@dataclass
class MemberPage:
    member: Member
    surveys: list[SurveyAnswers]
    asks: list[Assignment]
    calls: list[Call]
    networks: list[Organisation]


def _blank(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {} or (
        isinstance(value, dict) and not any(value.values()))


def _sections(submission: Submission) -> list[tuple[Section, list[tuple[Question, Any]]]]:
    values = {a.question_id: a.value for a in submission.answers}
    out = []
    for section in submission.survey.sections:
        rows = [(q, values[q.id]) for q in section.questions
                if q.is_answerable and q.id in values and not _blank(values[q.id])]
        if rows:
            out.append((section, rows))
    return out


def answers(member: Member) -> list[SurveyAnswers]:
    """Per survey (newest first): the latest sheet, sent before unsent, and its answers by section."""
    subs = db.session.scalars(
        sa.select(Submission).where(Submission.member_id == member.id)
        .options(selectinload(Submission.answers),
                 selectinload(Submission.survey).selectinload(Survey.sections)
                 .selectinload(Section.questions).selectinload(Question.options))
        .order_by(Submission.submitted_at.desc().nulls_last(), Submission.updated_at.desc())).all()
    surveys = db.session.scalars(sa.select(Survey).order_by(Survey.created_at.desc())).all()
    out = []
    for survey in surveys:
        mine = [s for s in subs if s.survey_id == survey.id]
        sent = [s for s in mine if s.status is SubmissionStatus.SUBMITTED]
        latest = sent[0] if sent else (mine[0] if mine else None)
        item = SurveyAnswers(survey, latest)
        if latest is not None:
            item.sections = _sections(latest)
        out.append(item)
    return out


def load(member: Member) -> MemberPage:
    asks = db.session.scalars(
        sa.select(Assignment).join(Shift, Assignment.shift_id == Shift.id)
        .where(Assignment.member_id == member.id)
        .options(selectinload(Assignment.shift).selectinload(Shift.task))
        .order_by(Shift.start_local.desc())).all()
    calls = db.session.scalars(
        sa.select(Call).where(Call.member_id == member.id)
        .options(selectinload(Call.target).selectinload(CallTarget.call_list), selectinload(Call.caller))
        .order_by(Call.at.desc()).limit(50)).all()
    networks = db.session.scalars(
        sa.select(Organisation).join(NetworkMembership, NetworkMembership.organisation_id == Organisation.id)
        .where(NetworkMembership.member_id == member.id).order_by(Organisation.name)).all()
    return MemberPage(member, answers(member), list(asks), list(calls), list(networks))
