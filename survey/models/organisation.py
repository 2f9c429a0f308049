"""The organisation tree: a district, its local associations, and groups such as networks.

One table with a parent link keeps the tree simple: associations belong to the district, networks
(antiracist, union, climate, women's forum) belong to the district too but are not geographic.
"""

from __future__ import annotations

import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.models.base import Base


class OrganisationKind(enum.StrEnum):
    DISTRICT = "district"
    ASSOCIATION = "association"
    NETWORK = "network"


class Organisation(Base):
    __tablename__ = "organisations"
    # An association's calendar feed signs its id: a deleted association's id is never handed out again.
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(64), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[OrganisationKind] = mapped_column(
        sa.Enum(OrganisationKind, native_enum=False, length=20,
                values_callable=lambda e: [m.value for m in e])
    )
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id", ondelete="RESTRICT"))

    parent: Mapped[Organisation | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Organisation]] = relationship(back_populates="parent")

    def __repr__(self) -> str:
        return f"<Organisation {self.slug} ({self.kind.value})>"
