"""The outbox: every email Kraftkartan sends is one row here, so sending can stop anywhere and resume.

Survey invitations and reminders: the unique key (survey, member, kind, round) is what guarantees nobody
gets the same message twice when a large send is interrupted and started again.
Task offers (kind "task", no survey): the asks a message carries point at it (Assignment.offer_message_id),
so an ask is in at most one message; that is their guarantee against a second email.
"""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from survey.models.base import Base, UTCDateTime, utcnow


class MessageStatus(enum.StrEnum):
    PENDING = "pending"
    SENDING = "sending"  # being handed to the server; left so by a crash: "uncertain", never resent
    SENT = "sent"
    FAILED = "failed"


class OutgoingMessage(Base):
    __tablename__ = "outgoing_messages"
    __table_args__ = (sa.UniqueConstraint("survey_id", "member_id", "kind", "round"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # None for task offers, which are about shifts, not a survey.
    survey_id: Mapped[int | None] = mapped_column(sa.ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("members.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(20))  # "invitation" | "reminder" | "task"
    # "2030-05-01" for a reminder round; for a task offer, when it was published ("2030-05-01 18:30").
    round: Mapped[str] = mapped_column(sa.String(40))
    status: Mapped[MessageStatus] = mapped_column(
        sa.Enum(MessageStatus, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e]),
        default=MessageStatus.PENDING,
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # while SENDING: when sending began
    error: Mapped[str | None] = mapped_column(sa.String(500))


class MemberImport(Base):
    """A registry import: counts and the problem report, downloadable afterwards as CSV."""

    __tablename__ = "member_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    filename: Mapped[str] = mapped_column(sa.String(255))
    rows: Mapped[int] = mapped_column(default=0)
    created: Mapped[int] = mapped_column(default=0)
    updated: Mapped[int] = mapped_column(default=0)
    unchanged: Mapped[int] = mapped_column(default=0)
    marked_left: Mapped[int] = mapped_column(default=0)
    problems: Mapped[int] = mapped_column(default=0)
    report_csv: Mapped[str] = mapped_column(sa.Text, default="")
