"""Call lists: phone banking per association, the members on each list, and every call made.

A list keeps its target filter and goal as data (JSON, see survey.registry.filters) and materializes the
members it matches in `call_targets`, refreshed from the filter while callers work: members enter and
leave the list as their data changes (`matches`). A target is held by at most one caller at a time
(`allocated_to_id`, `allocated_at`); outcomes are `calls` rows, never overwritten.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.models.base import Base, UTCDateTime, utcnow

if TYPE_CHECKING:
    from survey.models.member import Member
    from survey.models.organisation import Organisation
    from survey.models.survey import Survey
    from survey.models.user import User


call_list_associations = sa.Table(
    "call_list_associations",
    Base.metadata,
    sa.Column("call_list_id", sa.ForeignKey("call_lists.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("organisation_id", sa.ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True),
)

call_list_callers = sa.Table(
    "call_list_callers",
    Base.metadata,
    sa.Column("call_list_id", sa.ForeignKey("call_lists.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("user_id", sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
)


class CallList(Base):
    __tablename__ = "call_lists"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    instructions: Mapped[str | None] = mapped_column(sa.Text)
    script: Mapped[str | None] = mapped_column(sa.Text)  # plain text; {förnamn} is the member's first name
    # The survey callers take by phone, and the one "answered" filters and goals default to.
    survey_id: Mapped[int | None] = mapped_column(sa.ForeignKey("surveys.id", ondelete="SET NULL"))
    filters: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, default=list)
    goal: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=lambda: {"kind": "reached"})
    cooldown_hours: Mapped[int] = mapped_column(default=24)
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Data minimization: callers see name, phone and answers; these only when the organizer says so.
    show_email: Mapped[bool] = mapped_column(default=False)
    show_address: Mapped[bool] = mapped_column(default=False)
    show_birth_year: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When the targets were last refreshed from the filter (one refresher at a time, see queue.py).
    refreshed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    associations: Mapped[list[Organisation]] = relationship(secondary=call_list_associations,
                                                            order_by="Organisation.name")
    callers: Mapped[list[User]] = relationship(secondary=call_list_callers, order_by="User.email")
    survey: Mapped[Survey | None] = relationship()

    def is_open(self, now: datetime) -> bool:
        opened = self.opens_at is None or self.opens_at <= now
        return opened and (self.closes_at is None or now < self.closes_at)


class CallTarget(Base):
    """A member on a list, with what the queue needs to decide when to call them next."""

    __tablename__ = "call_targets"
    __table_args__ = (
        sa.UniqueConstraint("call_list_id", "member_id"),
        # The queue's scan: one list's open, matching targets in call order.
        sa.Index("ix_call_targets_queue", "call_list_id", "matches", "closed_at", "last_called_at"),
        sa.Index("ix_call_targets_callback", "call_list_id", "callback_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_list_id: Mapped[int] = mapped_column(sa.ForeignKey("call_lists.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("members.id", ondelete="CASCADE"), index=True)
    matches: Mapped[bool] = mapped_column(default=True)  # false: left the filter, kept for the history
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    allocated_to_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"),
                                                        index=True)
    allocated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    calls: Mapped[int] = mapped_column(default=0)
    last_called_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_outcome: Mapped[str | None] = mapped_column(sa.String(20))
    cooldown_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    callback_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    needs_action: Mapped[bool] = mapped_column(default=False)
    wrong_number: Mapped[bool] = mapped_column(default=False)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the list's goal is met
    # No more calls on this list: goal met, reached, wrong number, do not call again.
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    call_list: Mapped[CallList] = relationship()
    member: Mapped[Member] = relationship()


class Call(Base):
    """One call and its outcome, as the caller recorded it."""

    __tablename__ = "calls"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_list_id: Mapped[int] = mapped_column(sa.ForeignKey("call_lists.id", ondelete="CASCADE"), index=True)
    target_id: Mapped[int] = mapped_column(sa.ForeignKey("call_targets.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("members.id", ondelete="CASCADE"), index=True)
    caller_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    outcome: Mapped[str] = mapped_column(sa.String(20))
    note: Mapped[str | None] = mapped_column(sa.Text)
    callback_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    needs_action: Mapped[bool] = mapped_column(default=False)
    action_message: Mapped[str | None] = mapped_column(sa.Text)
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    handled_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    caller: Mapped[User | None] = relationship(foreign_keys=[caller_id])
    target: Mapped[CallTarget] = relationship()


class PasswordLink(Base):
    """A one-time link to set a password, for a caller account made on the spot at a phone bank.

    Only the token's SHA-256 is stored, like survey links; the link is shown once.
    """

    __tablename__ = "password_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()
