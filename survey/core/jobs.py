"""Long work off the request: a Huey queue, the Job rows pages read, and `kraftkartan worker`.

The queue lives in the instance folder (SqliteHuey) unless KRAFTKARTAN_JOBS_URL names Redis. Jobs are
off unless KRAFTKARTAN_JOBS is on: then the web and the CLI do the same work in the foreground, as before.
A task carries only the job's id; what it does is recorded on the row, so a retry after a crash resumes
from the database (and mail goes through the outbox, which never sends a message twice).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click
from flask import Flask, current_app
from huey import RedisHuey, SqliteHuey
from huey.api import Huey

from survey.extensions import db
from survey.models import Job, JobStatus, utcnow

# kind -> function(job) doing the work; rooms register theirs with `job_kind`.
KINDS: dict[str, Callable[[Job], str | None]] = {}


def make_huey(instance_path: str, url: str | None) -> Huey:
    """Redis when a URL is given (several machines), otherwise one SQLite file beside the database."""
    if url:
        return RedisHuey("kraftkartan", url=url)
    return SqliteHuey("kraftkartan", filename=str(Path(instance_path) / "jobs.sqlite3"))


def job_kind(name: str):
    """Register a function as the worker's code for jobs of this kind."""

    def register(fn: Callable[[Job], str | None]):
        KINDS[name] = fn
        return fn

    return register


def jobs_enabled() -> bool:
    return bool(current_app.config.get("JOBS_ENABLED"))


def start(kind: str, started_by_id: int | None = None, total: int | None = None) -> Job:
    """Record a job (flushed, not committed): the caller commits, then calls `enqueue`."""
    job = Job(kind=kind, started_by_id=started_by_id, total=total, status=JobStatus.QUEUED)
    db.session.add(job)
    db.session.flush()
    return job


def enqueue(job: Job) -> None:
    """Hand a committed job to the worker, or run it in the foreground when jobs are off."""
    if jobs_enabled():
        current_app.extensions["huey_run_job"](job.id)
    else:
        run(job.id)


def progress(job: Job, done: int, total: int | None = None) -> None:
    """Commit progress so the job page shows it while the work goes on."""
    job.done = done
    if total is not None:
        job.total = total
    db.session.commit()


def run(job_id: int) -> None:
    """Run one job to its end; a failure is recorded and re-raised so Huey may retry it."""
    job = db.session.get(Job, job_id)
    if job is None or job.status == JobStatus.DONE:
        return
    job.status, job.started_at, job.error = JobStatus.RUNNING, utcnow(), None
    db.session.commit()
    try:
        summary = KINDS[job.kind](job)
    except Exception as exc:
        db.session.rollback()
        job = db.session.get(Job, job_id)
        job.status, job.error, job.finished_at = JobStatus.FAILED, f"{type(exc).__name__}: {exc}", utcnow()
        db.session.commit()
        raise
    job.status, job.result, job.finished_at = JobStatus.DONE, summary, utcnow()
    db.session.commit()


def init_app(app: Flask) -> None:
    """Build the queue and its one task; the task opens an app context so it can reach the database."""
    huey = make_huey(app.instance_path, app.config.get("JOBS_URL"))

    @huey.task(retries=3, retry_delay=5)
    def run_job(job_id: int) -> None:
        with app.app_context():
            run(job_id)

    app.extensions["huey"] = huey
    app.extensions["huey_run_job"] = run_job
    app.cli.add_command(worker_command)


@click.command("worker")
@click.option("--workers", default=1, show_default=True, help="Threads running jobs at once.")
def worker_command(workers: int) -> None:
    """Run queued jobs (invitations, offers, letters, imports) until stopped."""
    huey = current_app.extensions["huey"]
    huey.create_consumer(workers=workers, worker_type="thread").run()
