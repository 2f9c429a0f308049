"""Contact details a member corrected in the survey, proposed as changes to the registry.

The registry is the district's copy of the party's member file; a member who tells us a new phone number in
the survey is right about their own number, but the organizer decides (or a rule per field does: see
`survey.registry.corrections`). A row remembers the value before and after, so a later registry import that
still carries the old value does not silently undo the member's own correction.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.models.base import Base, UTCDateTime, utcnow

if TYPE_CHECKING:
    from survey.models.member import Member
    from survey.models.submission import Submission


class CorrectionStatus(enum.StrEnum):
    PENDING = "pending"  # waiting for an organizer
    ACCEPTED = "accepted"  # an organizer took it into the registry
    AUTO = "auto"  # taken in by the field's rule (e.g. phone from a personal link)
    REJECTED = "rejected"  # an organizer kept the registry's value
    SUPERSEDED = "superseded"  # the member corrected the same field again before anyone decided


class RegistryCorrection(Base):
    __tablename__ = "registry_corrections"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("members.id", ondelete="CASCADE"), index=True)
    submission_id: Mapped[int | None] = mapped_column(sa.ForeignKey("submissions.id", ondelete="SET NULL"))
    field: Mapped[str] = mapped_column(sa.String(20))  # a Member column: phone, email, postcode, first_name…
    old_value: Mapped[str | None] = mapped_column(sa.String(254))
    new_value: Mapped[str | None] = mapped_column(sa.String(254))
    status: Mapped[CorrectionStatus] = mapped_column(
        sa.Enum(CorrectionStatus, native_enum=False, length=20,
                values_callable=lambda e: [m.value for m in e]),
        default=CorrectionStatus.PENDING, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    member: Mapped[Member] = relationship()
    submission: Mapped[Submission | None] = relationship()
