"""The member profile that task matching reads, derived from a submission's answers.

Derived rows rather than JSON so matching and the organizers' overviews can filter and count in SQL
("who can drive in week 34?"). It is rebuilt whenever the submission is (re)submitted.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.models.base import Base


class Profile(Base):
    __tablename__ = "profiles"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        sa.ForeignKey("submissions.id", ondelete="CASCADE"), unique=True
    )
    member_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("members.id", ondelete="SET NULL"), index=True
    )
    max_tasks: Mapped[int] = mapped_column(default=1)
    hours_per_week: Mapped[int | None]
    travels: Mapped[bool] = mapped_column(default=False)

    skills: Mapped[list[ProfileSkill]] = relationship(
        cascade="all, delete-orphan", order_by="ProfileSkill.skill"
    )
    tags: Mapped[list[ProfileTag]] = relationship(cascade="all, delete-orphan", order_by="ProfileTag.key")
    intervals: Mapped[list[ProfileInterval]] = relationship(
        cascade="all, delete-orphan", order_by="ProfileInterval.start_local"
    )

    def tag_keys(self, kind: str) -> list[str]:
        return [t.key for t in self.tags if t.kind == kind]


class ProfileSkill(Base):
    __tablename__ = "profile_skills"
    __table_args__ = (sa.UniqueConstraint("profile_id", "skill"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    profile_id: Mapped[int] = mapped_column(sa.ForeignKey("profiles.id", ondelete="CASCADE"))
    skill: Mapped[str] = mapped_column(sa.String(64), index=True)  # "canvassing", from "skill:canvassing"
    level: Mapped[int]  # 1 some, 2 experienced


class ProfileTag(Base):
    """An interest ("climate") or a network ("antiracist") the member chose."""

    __tablename__ = "profile_tags"
    __table_args__ = (sa.UniqueConstraint("profile_id", "kind", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    profile_id: Mapped[int] = mapped_column(sa.ForeignKey("profiles.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(20))  # "interest" | "network"
    key: Mapped[str] = mapped_column(sa.String(64), index=True)


class ProfileInterval(Base):
    """A concrete time the member is free, as local wall-clock time (Europe/Stockholm), half-open."""

    __tablename__ = "profile_intervals"

    id: Mapped[int] = mapped_column(primary_key=True)
    profile_id: Mapped[int] = mapped_column(sa.ForeignKey("profiles.id", ondelete="CASCADE"), index=True)
    start_local: Mapped[datetime] = mapped_column(sa.DateTime)
    end_local: Mapped[datetime] = mapped_column(sa.DateTime)
