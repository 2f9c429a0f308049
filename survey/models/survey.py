"""A survey's structure: sections, questions (and text blocks), and options.

Surveys are data, imported from YAML (see docs/survey-format.md); these rows mirror the parsed spec so
that `survey export` can write the same file back. Translatable text is a JSON object {"sv": .., "en": ..}.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.models.base import Base, UTCDateTime, utcnow

Text = dict[str, str]


class SignatureMode(enum.StrEnum):
    """How answers given through the survey's open (QR/flyer) link are signed."""

    ANONYMOUS = "anonymous"
    NAME_OPTIONAL = "name_optional"
    NAME_AND_CONTACT = "name_and_contact"


class Survey(Base):
    __tablename__ = "surveys"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(64), unique=True)
    version: Mapped[int] = mapped_column(default=1)
    title: Mapped[Text] = mapped_column(sa.JSON)
    intro: Mapped[Text | None] = mapped_column(sa.JSON)
    privacy_notice: Mapped[Text | None] = mapped_column(sa.JSON)
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    signature: Mapped[SignatureMode] = mapped_column(
        sa.Enum(SignatureMode, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e]),
        default=SignatureMode.NAME_OPTIONAL,
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    sections: Mapped[list[Section]] = relationship(
        back_populates="survey", order_by="Section.position", cascade="all, delete-orphan"
    )

    def is_open(self, now: datetime) -> bool:
        if self.opens_at is not None and now < self.opens_at:
            return False
        return self.closes_at is None or now < self.closes_at

    def questions(self) -> list[Question]:
        return [q for s in self.sections for q in s.questions]

    def __repr__(self) -> str:
        return f"<Survey {self.slug} v{self.version}>"


class Section(Base):
    __tablename__ = "survey_sections"
    __table_args__ = (sa.UniqueConstraint("survey_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(sa.ForeignKey("surveys.id", ondelete="CASCADE"))
    position: Mapped[int]
    key: Mapped[str] = mapped_column(sa.String(64))
    title: Mapped[Text] = mapped_column(sa.JSON)
    intro: Mapped[Text | None] = mapped_column(sa.JSON)
    show_if: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)

    survey: Mapped[Survey] = relationship(back_populates="sections")
    questions: Mapped[list[Question]] = relationship(
        back_populates="section", order_by="Question.position", cascade="all, delete-orphan"
    )


class Question(Base):
    """A question, or a text block (type `text_block`, no key, never answered)."""

    __tablename__ = "survey_questions"
    __table_args__ = (sa.UniqueConstraint("survey_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Denormalized from the section so question keys can be unique per survey in the database.
    survey_id: Mapped[int] = mapped_column(sa.ForeignKey("surveys.id", ondelete="CASCADE"))
    section_id: Mapped[int] = mapped_column(sa.ForeignKey("survey_sections.id", ondelete="CASCADE"))
    position: Mapped[int]
    key: Mapped[str | None] = mapped_column(sa.String(64))
    type: Mapped[str] = mapped_column(sa.String(20))
    label: Mapped[Text | None] = mapped_column(sa.JSON)
    help: Mapped[Text | None] = mapped_column(sa.JSON)
    required: Mapped[bool] = mapped_column(default=False)
    min_choices: Mapped[int | None]
    max_choices: Mapped[int | None]
    min_value: Mapped[int | None]
    max_value: Mapped[int | None]
    max_length: Mapped[int | None]
    prefill: Mapped[str | None] = mapped_column(sa.String(20))
    profile: Mapped[str | None] = mapped_column(sa.String(20))
    show_if: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    # The availability grid: {"election_day": "2030-09-08", "weeks": 8, "slots": [...]}.
    calendar: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)

    survey: Mapped[Survey] = relationship()
    section: Mapped[Section] = relationship(back_populates="questions")
    options: Mapped[list[Option]] = relationship(
        back_populates="question", order_by="Option.position", cascade="all, delete-orphan"
    )

    @property
    def is_answerable(self) -> bool:
        return self.type != "text_block"


class Option(Base):
    __tablename__ = "survey_options"
    __table_args__ = (sa.UniqueConstraint("question_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(sa.ForeignKey("survey_questions.id", ondelete="CASCADE"))
    position: Mapped[int]
    # Stable key such as "skill:canvassing" that downstream code uses instead of display text.
    key: Mapped[str] = mapped_column(sa.String(64))
    label: Mapped[Text] = mapped_column(sa.JSON)

    question: Mapped[Question] = relationship(back_populates="options")
