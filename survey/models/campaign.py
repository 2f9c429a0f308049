"""Campaign tasks, their shifts, and who is matched to which shift.

A task is what organizers plan ("Bokbord på Stora torget"); a shift is one time slot of it with a number
of people needed. The matching engine works on shifts: each shift is one "task" in its contract.
Times are local wall-clock time (Europe/Stockholm) like the members' availability.
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
    from survey.models.organisation import Organisation


def _enum(cls: type[enum.Enum]) -> sa.Enum:
    return sa.Enum(cls, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])


class TaskKind(enum.StrEnum):
    CANVASSING = "canvassing"
    PHONING = "phoning"
    STALL = "stall"
    FLYERING = "flyering"
    EVENT = "event"
    SOCIAL_MEDIA = "social_media"
    ARTICLE = "article"
    PODCAST = "podcast"
    TRAINING = "training"
    DRIVING = "driving"
    OTHER = "other"


class Task(Base):
    __tablename__ = "tasks"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[TaskKind] = mapped_column(_enum(TaskKind))
    # None: district-wide or remote, anyone may take it.
    association_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id", ondelete="SET NULL"),
                                                       index=True)
    place: Mapped[str | None] = mapped_column(sa.String(200))
    required_skills: Mapped[list[str]] = mapped_column(sa.JSON, default=list)  # ["canvassing"]
    preferred_skills: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    topic: Mapped[str | None] = mapped_column(sa.String(64))  # an interest key: "climate"
    priority: Mapped[int] = mapped_column(default=1)  # 1..3
    notes: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    association: Mapped[Organisation | None] = relationship()
    shifts: Mapped[list[Shift]] = relationship(back_populates="task", cascade="all, delete-orphan",
                                               order_by="Shift.start_local")


class Shift(Base):
    __tablename__ = "shifts"
    __table_args__ = (sa.CheckConstraint("end_local > start_local", name="ends_after_start"),
                      sa.CheckConstraint("slots >= 1", name="slots_positive"))

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(sa.ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    start_local: Mapped[datetime] = mapped_column(sa.DateTime, index=True)
    end_local: Mapped[datetime] = mapped_column(sa.DateTime)
    slots: Mapped[int] = mapped_column(default=1)

    task: Mapped[Task] = relationship(back_populates="shifts")
    assignments: Mapped[list[Assignment]] = relationship(back_populates="shift", cascade="all, delete-orphan")


class MatchRun(Base):
    """One run of the engine over a scope; what it proposed is in its assignments until published."""

    __tablename__ = "match_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    association_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id", ondelete="SET NULL"))
    objective: Mapped[float] = mapped_column(default=0.0)
    optimal: Mapped[bool] = mapped_column(default=False)
    stats: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AssignmentStatus(enum.StrEnum):
    PROPOSED = "proposed"  # the engine's suggestion, not yet shown to the member
    PUBLISHED = "published"  # sent to the member, waiting for an answer
    ACCEPTED = "accepted"
    DECLINED = "declined"  # the slot is free again


class Assignment(Base):
    __tablename__ = "assignments"
    __table_args__ = (sa.UniqueConstraint("shift_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shift_id: Mapped[int] = mapped_column(sa.ForeignKey("shifts.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("members.id", ondelete="CASCADE"), index=True)
    run_id: Mapped[int | None] = mapped_column(sa.ForeignKey("match_runs.id", ondelete="SET NULL"))
    status: Mapped[AssignmentStatus] = mapped_column(
        _enum(AssignmentStatus), default=AssignmentStatus.PROPOSED
    )
    score: Mapped[float] = mapped_column(default=0.0)
    reasons: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)  # the engine's explanation
    # The member's accept/decline link; only its hash is stored, like survey links.
    token_hash: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    # The outbox message that emails the link; None when it is handed out another way (shown once on the
    # publish page, or the SMS list), so an ask is never in two emails.
    offer_message_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("outgoing_messages.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # "phone": a caller recorded the answer during a call (responded_by_id); None: the member's own link.
    responded_via: Mapped[str | None] = mapped_column(sa.String(10))
    responded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    shift: Mapped[Shift] = relationship(back_populates="assignments")
    member: Mapped[Member] = relationship()


class RuleKind(enum.StrEnum):
    PIN = "pin"  # this member must get this shift
    FORBID = "forbid"  # never this member on this shift


class MatchRule(Base):
    """An organizer's pin or forbid, kept across re-runs of the engine."""

    __tablename__ = "match_rules"
    __table_args__ = (sa.UniqueConstraint("shift_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shift_id: Mapped[int] = mapped_column(sa.ForeignKey("shifts.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("members.id", ondelete="CASCADE"), index=True)
    kind: Mapped[RuleKind] = mapped_column(_enum(RuleKind))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
