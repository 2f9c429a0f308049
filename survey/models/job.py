"""A job: long work (invitations, offers, letters, imports) run by `kraftkartan worker` off the request.

The row is what pages read to show progress; the queue (Huey) only carries the job's id, so a retried
task finds its own row and carries on. Sending still goes through the outbox, which never sends twice.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from survey.models.base import Base, UTCDateTime, utcnow


class JobStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class Job(Base):
    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(40))
    params: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)  # what to do: ids, options, a file
    title: Mapped[str] = mapped_column(sa.String(200), default="")  # for the job page: "Inbjudningar, Timrå"
    started_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[str] = mapped_column(sa.String(10), default=JobStatus.QUEUED)
    done: Mapped[int] = mapped_column(default=0)
    total: Mapped[int | None] = mapped_column()
    result: Mapped[str | None] = mapped_column(sa.Text)
    error: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Written with every progress step: a RUNNING job whose heartbeat stops was killed with its worker,
    # and the next worker to start runs it again (the work is resumable; see survey.core.jobs.recover).
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(default=0)
    result_url: Mapped[str | None] = mapped_column(sa.String(300))  # where the result is: a list, a PDF
