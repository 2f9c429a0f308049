"""What comes back from a print-out: the roster of a shift, ticked by its organizer after the shift.

A `HeldShift` says the shift took place, who recorded it and how many came. The count is kept on its own
so the campaign's numbers stay right after a member is erased (their `ShiftAttendance` row goes with
them, through the cascade, like their assignments).
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from survey.models.base import Base, UTCDateTime, utcnow


class HeldShift(Base):
    __tablename__ = "held_shifts"

    shift_id: Mapped[int] = mapped_column(sa.ForeignKey("shifts.id", ondelete="CASCADE"), primary_key=True)
    came: Mapped[int] = mapped_column(default=0)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))


class ShiftAttendance(Base):
    """One member who came to a shift (ticked "kom" on the roster)."""

    __tablename__ = "shift_attendances"
    __table_args__ = (sa.UniqueConstraint("shift_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shift_id: Mapped[int] = mapped_column(sa.ForeignKey("shifts.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("members.id", ondelete="CASCADE"), index=True)
