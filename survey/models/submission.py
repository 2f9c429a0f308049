"""What members answer: links that open a survey, submissions and their answers.

A link's token is only ever stored as a SHA-256 hash, so a leaked database does not hand out working
survey links. One submission exists per respondent and survey: `respondent_key` is "m:<member id>" for
personal links (any of a member's links resumes the same submission) and "l:<link id>" for people who
start from the open link. The unique constraint on it is what makes double submits store one row.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.models.base import Base, UTCDateTime, utcnow

if TYPE_CHECKING:
    from survey.models.member import Member
    from survey.models.survey import Question, Survey


def _enum(cls: type[enum.Enum]) -> sa.Enum:
    return sa.Enum(cls, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])


class SubmissionStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"


class RegistryMatch(enum.StrEnum):
    """How a submission is tied to the member registry."""

    PERSONAL = "personal"  # came through the member's personal link
    MATCHED = "matched"  # open link, signed, exactly one member with that phone/email
    AMBIGUOUS = "ambiguous"  # open link, several members match: kept for review, never guessed
    UNMATCHED = "unmatched"  # open link, signed, nobody matches: kept for review
    ANONYMOUS = "anonymous"  # open link, not signed


class SurveyLink(Base):
    __tablename__ = "survey_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(sa.ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int | None] = mapped_column(sa.ForeignKey("members.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    survey: Mapped[Survey] = relationship()
    member: Mapped[Member | None] = relationship()


class Submission(Base):
    __tablename__ = "submissions"
    __table_args__ = (sa.UniqueConstraint("survey_id", "respondent_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(sa.ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    respondent_key: Mapped[str] = mapped_column(sa.String(40))
    member_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("members.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[SubmissionStatus] = mapped_column(_enum(SubmissionStatus), default=SubmissionStatus.DRAFT)
    registry_match: Mapped[RegistryMatch] = mapped_column(_enum(RegistryMatch))
    needs_review: Mapped[bool] = mapped_column(default=False)
    language: Mapped[str] = mapped_column(sa.String(5), default="sv")
    # Where "save and continue later" left off, so the same link resumes on that page.
    resume_section: Mapped[str | None] = mapped_column(sa.String(64))
    # The version of the survey the member saw, stored with the consent (GDPR accountability).
    survey_version: Mapped[int] = mapped_column(default=1)
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    signed_name: Mapped[str | None] = mapped_column(sa.String(200))
    signed_phone: Mapped[str | None] = mapped_column(sa.String(20))
    signed_email: Mapped[str | None] = mapped_column(sa.String(254))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # "phone": a caller took the answers on a call list (entered_by_id); "verbal": consent given aloud.
    via: Mapped[str | None] = mapped_column(sa.String(10))
    entered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    consent_via: Mapped[str | None] = mapped_column(sa.String(10))
    # Set when a person settled an open-link answer on the review page (survey.registry.review): the
    # automatic match then leaves it alone, so a re-submit does not undo that person's decision.
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    survey: Mapped[Survey] = relationship()
    member: Mapped[Member | None] = relationship()
    answers: Mapped[list[Answer]] = relationship(back_populates="submission", cascade="all, delete-orphan")


class Answer(Base):
    """One question's answer. `value` has the shape the question type defines (docs/survey-format.md)."""

    __tablename__ = "answers"
    __table_args__ = (sa.UniqueConstraint("submission_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(sa.ForeignKey("submissions.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(
        sa.ForeignKey("survey_questions.id", ondelete="CASCADE"), index=True
    )
    value: Mapped[Any] = mapped_column(sa.JSON)

    submission: Mapped[Submission] = relationship(back_populates="answers")
    question: Mapped[Question] = relationship()
