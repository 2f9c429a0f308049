"""Long work off the request: a Huey queue, the Job rows pages read, and `kraftkartan worker`.

The queue lives in the instance folder (SqliteHuey) unless KRAFTKARTAN_JOBS_URL names Redis (several
machines). Jobs are off unless KRAFTKARTAN_JOBS is on: then the web and the CLI do the same work in the
foreground, as before. A task carries only the job's id; what to do is in the row's `params` and how far it
got in `done`, so a retry resumes from the database, and mail goes through the outbox, which never sends a
message twice.

A worker killed with SIGKILL takes its task with it: Huey has already taken it off the queue. Every job
therefore writes a heartbeat with its progress, and `recover` (run when a worker starts, and every minute
by the worker) puts a RUNNING job whose heartbeat has stopped back on the queue.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import click
import sqlalchemy as sa
from flask import Flask, current_app
from flask_babel import gettext as _
from huey import RedisHuey, SqliteHuey, crontab
from huey.api import Huey

from survey.core import job_files, outbox
from survey.extensions import db
from survey.models import Job, JobStatus, User, utcnow

# kind -> function(job) doing the work and returning a one-line summary; rooms register theirs with
# `job_kind` (outreach's in outreach.init_app), so survey never imports outreach.
KINDS: dict[str, Callable[[Job], str | None]] = {}
STALE_SECONDS = 120  # a RUNNING job without a heartbeat this long lost its worker (config JOBS_STALE_SECONDS)
MAX_ATTEMPTS = 5


def make_huey(instance_path: str, url: str | None, path: str | None = None) -> Huey:
    """Redis when a URL is given (several machines), otherwise one SQLite file (by default in the instance
    folder, beside the database)."""
    if url:
        return RedisHuey("kraftkartan", url=url)
    return SqliteHuey("kraftkartan", filename=path or str(Path(instance_path) / "jobs.sqlite3"))


def job_kind(name: str):
    """Register a function as the worker's code for jobs of this kind."""

    def register(fn: Callable[[Job], str | None]):
        KINDS[name] = fn
        return fn

    return register


def jobs_enabled() -> bool:
    return bool(current_app.config.get("JOBS_ENABLED"))


def start(kind: str, *, params: dict[str, Any] | None = None, title: str = "", user: User | None = None,
          total: int | None = None) -> Job:
    """Record a job (flushed, not committed): the caller commits, then calls `enqueue`."""
    if kind not in KINDS:
        raise ValueError(f"unknown job kind: {kind}")
    job = Job(kind=kind, params=params or {}, title=title[:200], started_by_id=user.id if user else None,
              total=total, status=JobStatus.QUEUED)
    db.session.add(job)
    db.session.flush()
    return job


def enqueue(job: Job) -> bool:
    """Hand a committed job to the worker (True), or run it here in the foreground when jobs are off."""
    if jobs_enabled():
        current_app.extensions["huey_run_job"](job.id)
        return True
    run(job.id)
    return False


def progress(job: Job, done: int, total: int | None = None) -> None:
    """Commit progress (and the heartbeat) so the job page shows it while the work goes on."""
    job.done = done
    if total is not None:
        job.total = total
    job.heartbeat_at = utcnow()
    db.session.commit()


class Beat:
    """What `heartbeat` yields: `step(done)` shows a coarse step on the job page at once, written beside
    the job's own transaction (an import's one transaction cannot commit progress midway)."""

    def __init__(self, engine: sa.Engine, job_id: int) -> None:
        self.engine, self.job_id = engine, job_id

    def write(self, **values: Any) -> None:
        # A write that fails (SQLite busy with the job's own transaction) is skipped; the next one tries.
        # Never wait long for the row: the job's session may hold it while the thread is being joined.
        with contextlib.suppress(sa.exc.SQLAlchemyError), self.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(sa.text("SET LOCAL lock_timeout = '5s'"))
            conn.execute(sa.update(Job).where(Job.id == self.job_id).values(heartbeat_at=utcnow(), **values))

    def step(self, done: int) -> None:
        self.write(done=done)


@contextlib.contextmanager
def heartbeat(job: Job, every: float | None = None) -> Iterator[Beat]:
    """Keep the heartbeat going through one long step that reports no progress (a solve, one big
    transaction), so `recover` does not take a busy job for a dead one and run it twice.

    A thread writes the heartbeat on a connection of its own, since the job's session may be in the middle
    of a transaction. The caller must not change the job's row in its session until the block ends."""
    beat = Beat(db.engine, job.id)
    every = every or current_app.config.get("JOBS_STALE_SECONDS", STALE_SECONDS) / 4
    stop = threading.Event()

    def beating() -> None:
        while not stop.wait(every):
            beat.write()

    thread = threading.Thread(target=beating, name=f"job-{job.id}-heartbeat", daemon=True)
    thread.start()
    try:
        yield beat
    finally:
        stop.set()
        thread.join()


def send_mail(job: Job, deliveries: Callable) -> str:
    """Send through the outbox (one SMTP session, a commit after each message) with the job's progress
    going up by one per message; an unreachable server raises, so the job is retried. The summary."""
    sent = outbox.send(deliveries, each=lambda _outcome: progress(job, job.done + 1))
    if sent.unavailable:
        raise RuntimeError(_("E-postservern gick inte att nå: %(error)s", error=sent.unavailable))
    return sent.summary()


def run(job_id: int) -> None:
    """Run one job to its end; a failure is recorded and re-raised so Huey may retry it.

    The claim is a conditional UPDATE: two deliveries of the same task (a retry beside a recovered job)
    never run one job twice at once."""
    now = utcnow()
    claimed = db.session.execute(
        sa.update(Job).where(Job.id == job_id, Job.status.in_([JobStatus.QUEUED, JobStatus.FAILED]))
        .values(status=JobStatus.RUNNING, started_at=now, heartbeat_at=now, error=None,
                attempts=Job.attempts + 1)
        .execution_options(synchronize_session=False)).rowcount
    db.session.commit()
    if not claimed:
        return  # done, running elsewhere, or gone
    job = db.session.get(Job, job_id, populate_existing=True)
    try:
        summary = KINDS[job.kind](job)
    except Exception as exc:
        db.session.rollback()
        job = db.session.get(Job, job_id, populate_existing=True)
        job.status, job.finished_at = JobStatus.FAILED, utcnow()
        job.error = f"{type(exc).__name__}: {exc}"[:2000]
        db.session.commit()
        raise
    job.status, job.result, job.finished_at = JobStatus.DONE, summary, utcnow()
    db.session.commit()


def recover(seconds: float | None = None) -> list[int]:
    """Jobs whose worker died (RUNNING, heartbeat older than `seconds`): back to QUEUED and on the queue.
    A job that keeps dying stops after MAX_ATTEMPTS, FAILED with a reason, for a person to look at."""
    seconds = current_app.config.get("JOBS_STALE_SECONDS", STALE_SECONDS) if seconds is None else seconds
    cutoff = utcnow() - timedelta(seconds=seconds)
    stale = db.session.scalars(sa.select(Job).where(
        Job.status == JobStatus.RUNNING, sa.or_(Job.heartbeat_at.is_(None), Job.heartbeat_at < cutoff))).all()
    again = []
    for job in stale:
        if job.attempts >= MAX_ATTEMPTS:
            job.status, job.error = JobStatus.FAILED, "stopped: its worker died too many times"
        else:
            job.status = JobStatus.QUEUED
            again.append(job.id)
    db.session.commit()
    for job_id in again:
        current_app.extensions["huey_run_job"](job_id)
    return again


def visible(user: User, job: Job) -> bool:
    """Admins see every job; anyone else the jobs they started."""
    return user.is_admin or job.started_by_id == user.id


def init_app(app: Flask) -> None:
    init_queue(app)
    app.cli.add_command(worker_command)


def init_queue(app: Flask) -> None:
    """Build the queue from the config and its tasks; each opens an app context to reach the database."""
    huey = make_huey(app.instance_path, app.config.get("JOBS_URL"), app.config.get("JOBS_PATH"))

    @huey.task(retries=3, retry_delay=5)
    def run_job(job_id: int) -> None:
        with app.app_context():
            run(job_id)

    @huey.periodic_task(crontab(minute="*"))
    def recover_jobs() -> None:
        with app.app_context():
            recover()
            job_files.sweep()  # made PDFs past their time, uploads a crash left behind

    app.extensions["huey"] = huey
    app.extensions["huey_run_job"] = run_job


@click.command("worker")
@click.option("--workers", default=1, show_default=True, help="Threads running jobs at once.")
def worker_command(workers: int) -> None:
    """Run queued jobs (invitations, offers, letters, imports) until stopped."""
    huey = current_app.extensions["huey"]
    found = recover()
    if found:
        click.echo(f"Put {len(found)} job(s) left by a stopped worker back on the queue.", err=True)
    huey.create_consumer(workers=workers, worker_type="thread", periodic=True).run()
