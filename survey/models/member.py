"""The member registry: who the party's members are, as far as the district knows."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.models.base import Base, UTCDateTime, utcnow

if TYPE_CHECKING:
    from survey.models.organisation import Organisation


class Member(Base):
    __tablename__ = "members"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_number: Mapped[str] = mapped_column(sa.String(32), unique=True)
    first_name: Mapped[str] = mapped_column(sa.String(100))
    last_name: Mapped[str] = mapped_column(sa.String(100))
    # E.164 ("+46701234567"), normalized on the way in so that matching by phone is an equality test.
    phone: Mapped[str | None] = mapped_column(sa.String(20), index=True)
    # Stored lower-cased for the same reason.
    email: Mapped[str | None] = mapped_column(sa.String(254), index=True)
    postcode: Mapped[str | None] = mapped_column(sa.String(10))
    association_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="SET NULL"), index=True
    )
    joined_on: Mapped[date | None] = mapped_column(sa.Date)
    do_not_contact: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    association: Mapped[Organisation | None] = relationship()

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def __repr__(self) -> str:
        return f"<Member {self.member_number}>"
