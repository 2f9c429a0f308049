"""A worker killed with SIGKILL in the middle of a round of invitations: the next worker takes the job up
again and finishes it, and nobody gets the same message twice.

Real processes: `kraftkartan worker` on the Huey SQLite queue, the app's database (SQLite file or
PostgreSQL), and a real SMTP server in this process. The first worker is killed once a few messages have
arrived; a second worker, started with a short stale-heartbeat limit, recovers the job and sends the rest.
At most the one message in flight at the kill is "uncertain" (claimed, never resent by itself).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import sqlalchemy as sa

from survey.core import jobs
from survey.extensions import db
from survey.invitations import services as invitations
from survey.invitations.jobs import KIND, params
from survey.models import Job, JobStatus, Member, MessageStatus, OutgoingMessage
from tests.support import calllists as cl
from tests.support.smtp import SmtpServer

ROOT = Path(__file__).resolve().parents[1]
MEMBERS = 40


def _worker(env: dict[str, str], log: Path) -> subprocess.Popen:
    with log.open("a") as out:  # the child keeps its own copy of the descriptor
        return subprocess.Popen([sys.executable, "-c", "from survey.cli import main; main()", "worker"],
                                cwd=ROOT, env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT)


def _wait(condition, seconds: float, what: str, log: Path) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}; the workers said:\n{log.read_text()[-3000:]}")


def test_a_killed_worker_leaves_a_job_the_next_one_finishes_without_duplicates(app, load_survey, tmp_path):
    survey = load_survey()
    people = cl.members("Timrå", MEMBERS)
    for i, person in enumerate(people):
        person.email = f"medlem{i}@example.org"
    db.session.commit()
    invitations.plan(survey, "invitation", "1")
    queue = tmp_path / "jobs.sqlite3"
    app.config.update(JOBS_ENABLED=True, JOBS_PATH=str(queue))
    jobs.init_queue(app)
    with SmtpServer(delay=0.15) as smtp:  # slow enough to be killed halfway
        env = {"KRAFTKARTAN_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
               "KRAFTKARTAN_SECRET_KEY": "worker-test", "KRAFTKARTAN_INSTANCE_PATH": str(tmp_path),
               "KRAFTKARTAN_JOBS": "1", "KRAFTKARTAN_JOBS_PATH": str(queue),
               "KRAFTKARTAN_JOBS_STALE_SECONDS": "2", "KRAFTKARTAN_BASE_URL": "http://kk.test",
               **{f"KRAFTKARTAN_{k}": str(v) for k, v in smtp.config().items()}}
        job = jobs.start(KIND, params=params(survey, "invitation", "1", None), title="Inbjudningar")
        db.session.commit()
        assert jobs.enqueue(job) is True  # on the queue, not run here
        log = tmp_path / "worker.log"
        first = _worker(env, log)
        try:
            _wait(lambda: len(smtp.messages) >= 5, 60, "the first messages", log)
            os.kill(first.pid, signal.SIGKILL)
            first.wait(10)
        finally:
            if first.poll() is None:
                first.kill()
        received_at_kill = len(smtp.messages)
        assert received_at_kill < MEMBERS, "the worker finished before it was killed"
        time.sleep(2.5)  # the heartbeat goes stale
        second = _worker(env, log)
        try:
            def done():
                db.session.remove()
                return db.session.get(Job, job.id).status == JobStatus.DONE
            _wait(done, 90, "the job to be finished by the second worker", log)
        finally:
            second.send_signal(signal.SIGINT)
            try:
                second.wait(20)
            except subprocess.TimeoutExpired:
                second.kill()
        recipients = smtp.recipients()
    assert len(recipients) == len(set(recipients)), "somebody got the same message twice"
    statuses = db.session.scalars(sa.select(OutgoingMessage.status)).all()
    assert statuses.count(MessageStatus.SENDING) <= 1  # at most the one in flight at the kill: uncertain
    sent, uncertain = statuses.count(MessageStatus.SENT), statuses.count(MessageStatus.SENDING)
    assert sent + uncertain == MEMBERS  # nothing lost: every message sent, or the one left uncertain
    assert len(recipients) in (sent, sent + uncertain)  # the uncertain one may or may not have arrived
    finished = db.session.get(Job, job.id)
    assert finished.attempts == 2 and finished.done >= MEMBERS - 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Member)) == MEMBERS
