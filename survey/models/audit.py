"""Who looked at or exported which list, and when. Admins can read it; it holds no member data.

`user_email` is copied so the trail survives the account being removed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from survey.models.base import Base, UTCDateTime, utcnow


class AuditEvent(Base):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    user_email: Mapped[str | None] = mapped_column(sa.String(254))
    action: Mapped[str] = mapped_column(sa.String(40))  # "view", "export", "import", "erase", ...
    target: Mapped[str] = mapped_column(sa.String(200))  # "members:sundsvall", "survey:valkampanj-2030"
    association_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id", ondelete="SET NULL"))
    rows: Mapped[int | None]  # how many records were shown or exported
    detail: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
