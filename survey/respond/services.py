"""A member's way through a survey: their submission, what is visible to them, saving and submitting.

Show-if conditions are evaluated here, on the server, between pages, so the survey works without
JavaScript. A condition may only look at earlier sections (the survey file validator enforces that).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from survey import spec as surveyspec
from survey.core.contacts import format_phone
from survey.extensions import db
from survey.models import (
    Answer,
    Member,
    Question,
    RegistryMatch,
    Section,
    Submission,
    SubmissionStatus,
    Survey,
    SurveyLink,
    utcnow,
)
from survey.respond import profiles
from survey.respond.plan import SectionPlan, SurveyPlan, plan_for


def submission_for(link: SurveyLink, language: str = "sv") -> Submission:
    """The link's submission, created on first use. Safe when two requests race to create it."""
    return open_submission(link, language)[0]


def open_submission(link: SurveyLink, language: str = "sv") -> tuple[Submission, bool]:
    """The link's submission and whether it was created just now (then the page must commit it; a page
    that only reads commits nothing)."""
    key = f"m:{link.member_id}" if link.member_id is not None else f"l:{link.id}"
    return _by_key(link.survey, key, link.member_id, language)


def submission_by_key(survey: Survey, key: str, member_id: int | None, language: str = "sv") -> Submission:
    """The respondent's submission ("m:<member id>" is the member's own, whichever way they answer: their
    links, or a caller taking the survey by phone), created on first use."""
    return _by_key(survey, key, member_id, language)[0]


# Built once (every survey page opens its sheet); with its answers in the same query: every page reads them.
_SHEET = sa.select(Submission).where(
    Submission.survey_id == sa.bindparam("survey_id"), Submission.respondent_key == sa.bindparam("key")
)
_SHEET_WITH_ANSWERS = _SHEET.options(joinedload(Submission.answers))


def _by_key(survey: Survey, key: str, member_id: int | None, language: str) -> tuple[Submission, bool]:
    params = {"survey_id": survey.id, "key": key}
    existing = db.session.scalars(_SHEET_WITH_ANSWERS, params).unique().first()
    if existing is not None:
        return existing, False
    submission = Submission(
        survey=survey,
        respondent_key=key,
        member_id=member_id,
        registry_match=RegistryMatch.PERSONAL if member_id is not None else RegistryMatch.ANONYMOUS,
        language=language,
        survey_version=survey.version,
    )
    try:
        with db.session.begin_nested():
            db.session.add(submission)
    except IntegrityError:  # another request created it first: theirs is the one
        return db.session.scalars(_SHEET, params).one(), False
    return submission, True


def answers_by_key(submission: Submission) -> dict[str, Any]:
    """The sheet's answers by question key (read through the survey's plan: no question row is loaded)."""
    keys = plan_for(submission.survey).key_by_question_id
    # An answer made from a question row and not flushed yet has no question_id: then ask the row.
    return {keys[a.question_id] if a.question_id in keys else a.question.key: a.value  # noqa: SIM401
            for a in submission.answers}


def condition_holds(condition: dict[str, Any] | None, answers: dict[str, Any]) -> bool:
    if not condition:
        return True
    return surveyspec.condition_holds(surveyspec.condition_from_dict(condition), answers)


def visible_sections(survey: Survey | SurveyPlan, answers: dict[str, Any]) -> list[SectionPlan]:
    return [s for s in plan_for(survey).sections if condition_holds(s.show_if, answers)]


def visible_questions(section: Section | SectionPlan, answers: dict[str, Any]) -> list[Question]:
    return [q for q in section.questions if condition_holds(q.show_if, answers)]


def prefill(member: Member | None, questions: list[Question]) -> dict[str, Any]:
    """What the registry already knows, for questions that ask for it."""
    if member is None:
        return {}
    # Each prefill the survey format allows names a member attribute; the phone is formatted for reading,
    # and parsed only for a page that asks for it.
    wanted = {q.prefill for q in questions if q.prefill in surveyspec.PREFILLS}
    values = {key: format_phone(member.phone) if key == "phone" else getattr(member, key) for key in wanted}
    return {q.key: values[q.prefill] for q in questions if values.get(q.prefill)}


def save_answers(submission: Submission, questions: list[Question], values: dict[str, Any]) -> None:
    """Store the answers to `questions`: set what has a value, remove what was cleared."""
    current = {a.question_id: a for a in submission.answers}
    for q in questions:
        if not q.is_answerable:
            continue
        answer = current.get(q.id)
        if q.key in values:
            if answer is None:
                # By id: `q` may be a shared plan object, never something to put in a session.
                submission.answers.append(Answer(question_id=q.id, value=values[q.key]))
            elif answer.value != values[q.key]:
                answer.value = values[q.key]
        elif answer is not None:
            submission.answers.remove(answer)
    submission.updated_at = utcnow()
    db.session.flush()


def drop_hidden_answers(submission: Submission) -> None:
    """Forget answers to questions a later change of mind has hidden, so they count nowhere."""
    answers = answers_by_key(submission)
    visible: set[int] = set()
    for section in visible_sections(submission.survey, answers):
        visible.update(q.id for q in visible_questions(section, answers))
    for answer in list(submission.answers):
        if answer.question_id not in visible:
            submission.answers.remove(answer)


def submit(submission: Submission, now: datetime, consent: bool) -> None:
    """Mark submitted (again, when editing) and rebuild the profile. Idempotent: one row per respondent."""
    drop_hidden_answers(submission)
    if submission.status is not SubmissionStatus.SUBMITTED:
        submission.status = SubmissionStatus.SUBMITTED
        submission.submitted_at = now
    if consent and submission.consent_at is None:
        submission.consent_at = now
    submission.survey_version = submission.survey.version
    submission.resume_section = None
    db.session.flush()
    profiles.rebuild(submission)
    from survey.registry import corrections  # the registry room, on use: respond stays light to import

    corrections.propose(submission, now)
