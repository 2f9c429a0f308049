"""Files that belong to a job: a PDF it made, or the upload it reads. They hold personal data, so they live
in the instance folder (never under static), readable only by the app's user, and are removed on time.

A job's file is named in `params["file"]` (a name inside JOB_FILES, never a path from a request). Made
files (letters) are kept `KRAFTKARTAN_JOB_FILES_HOURS` (24) after the job finished, for the download, then
`sweep` (every minute in `kraftkartan worker`) removes them and the job page's link; input files (an
upload) are removed by their job as soon as it has read them, whatever happens (`discard`).
"""

from __future__ import annotations

import contextlib
import os
import secrets
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from survey.extensions import db
from survey.models import Job, JobStatus, utcnow

FOLDER = "job-files"
KEEP_HOURS = 24


def folder() -> Path:
    path = Path(current_app.instance_path) / FOLDER
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def new_name(suffix: str) -> str:
    """An unguessable name: the folder is private anyway, but a name says nothing about whose file it is."""
    return f"{secrets.token_hex(16)}{suffix}"


def write(data: bytes, suffix: str) -> str:
    """Write a file only the app's user may read; returns its name for `params["file"]`."""
    name = new_name(suffix)
    fd = os.open(folder() / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    return name


def path(job: Job) -> Path | None:
    """The job's file, if it still exists. The name is checked to stay inside the folder."""
    name = (job.params or {}).get("file")
    if not name or "/" in name or "\\" in name or name.startswith("."):
        return None
    found = folder() / name
    return found if found.is_file() else None


def discard(job: Job) -> None:
    """Remove the job's file now (an upload once read, whether the import worked or not)."""
    found = path(job)
    if found is not None:
        with contextlib.suppress(FileNotFoundError):
            found.unlink()


def keep_hours() -> float:
    return float(current_app.config.get("JOB_FILES_HOURS", KEEP_HOURS))


def sweep(hours: float | None = None) -> int:
    """Remove every file older than `hours` (a made PDF past its time, an upload a crash left behind, an
    upload whose job waited that long) and the job pages' links to them; how many went. Commits."""
    hours = keep_hours() if hours is None else hours
    cutoff = utcnow() - timedelta(hours=hours)
    removed = 0
    for found in folder().iterdir():
        if found.is_file() and found.stat().st_mtime < cutoff.timestamp():
            with contextlib.suppress(FileNotFoundError):
                found.unlink()
                removed += 1
    linked = db.session.scalars(
        sa.select(Job).where(
            Job.result_url.is_not(None), Job.finished_at < cutoff, Job.status == JobStatus.DONE
        )
    ).all()
    for job in linked:
        if (job.params or {}).get("file") and path(job) is None:
            job.params = {**job.params, "file": None}
            job.result_url = None
    db.session.commit()
    return removed
