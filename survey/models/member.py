"""The member registry: who the party's members are, as far as the district knows."""

from __future__ import annotations

import enum
import secrets
from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.models.base import Base, UTCDateTime, utcnow

if TYPE_CHECKING:
    from survey.models.organisation import Organisation


class MemberStatus(enum.StrEnum):
    ACTIVE = "active"
    LEFT = "left"  # absent from a full registry import: kept, never silently deleted


def new_link_secret() -> str:
    return secrets.token_urlsafe(16)


class Member(Base):
    __tablename__ = "members"
    # Links sign a member's id (unsubscribe, calendar feed): SQLite would hand an erased member's id, when it
    # was the highest, to the next member imported. AUTOINCREMENT never reuses one; PostgreSQL's sequences
    # never do either.
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    member_number: Mapped[str] = mapped_column(sa.String(32), unique=True)
    first_name: Mapped[str] = mapped_column(sa.String(100))
    last_name: Mapped[str] = mapped_column(sa.String(100))
    # E.164 ("+46701234567"), normalized on the way in so that matching by phone is an equality test.
    phone: Mapped[str | None] = mapped_column(sa.String(20), index=True)
    # Stored lower-cased for the same reason.
    email: Mapped[str | None] = mapped_column(sa.String(254), index=True)
    address: Mapped[str | None] = mapped_column(sa.String(200))
    postcode: Mapped[str | None] = mapped_column(sa.String(10))  # "85230": digits only
    city: Mapped[str | None] = mapped_column(sa.String(100))
    municipality: Mapped[str | None] = mapped_column(sa.String(100))
    birth_year: Mapped[int | None]
    association_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="SET NULL"), index=True
    )
    joined_on: Mapped[date | None] = mapped_column(sa.Date)
    status: Mapped[MemberStatus] = mapped_column(
        sa.Enum(MemberStatus, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e]),
        default=MemberStatus.ACTIVE, server_default=MemberStatus.ACTIVE.value,
    )
    left_on: Mapped[date | None] = mapped_column(sa.Date)
    do_not_contact: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # Signed into the member's links with the id (survey.respond.links.member_key), so a link made for
    # this member verifies for nobody else, even if the id were ever given again; it goes with the row.
    link_secret: Mapped[str] = mapped_column(sa.String(32), default=new_link_secret)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, onupdate=utcnow)

    association: Mapped[Organisation | None] = relationship()

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def __repr__(self) -> str:
        return f"<Member {self.member_number}>"


class NetworkMembership(Base):
    """A member on a network's list (antiracist, union, climate, women's forum), e.g. from the survey."""

    __tablename__ = "network_memberships"
    __table_args__ = (sa.UniqueConstraint("member_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("members.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    source: Mapped[str] = mapped_column(sa.String(20), default="survey")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    member: Mapped[Member] = relationship()
    organisation: Mapped[Organisation] = relationship()


class ErasedMember(Base):
    """A member erased on request, remembered only so the next registry import does not bring them back.

    Only a hash of the member number is kept (see survey.privacy.services.erasure_key): enough to recognise
    the number in a file, no name or contact detail. Member numbers are short, so the hash is pseudonymous
    rather than anonymous; it is the minimum needed to honour the erasure, like a suppression list.
    """

    __tablename__ = "erased_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    number_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    erased_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
