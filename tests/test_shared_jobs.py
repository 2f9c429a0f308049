"""Several machines share one job queue through Redis: every job queued by any app server is run once, by
whichever worker takes it, and nobody gets a message twice.

Real processes on one PostgreSQL database and a throwaway Redis: two `kraftkartan worker`s, each with an
instance folder of its own (as on two machines), and the app in this process queuing three rounds of
invitations as a web server would (`KRAFTKARTAN_JOBS_URL=redis://...`). The rounds go to disjoint groups
of members; the test checks every job ends DONE in one attempt and every member got exactly one message.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from survey.core import jobs
from survey.extensions import db
from survey.invitations import services as invitations
from survey.invitations.jobs import KIND, params
from survey.models import Job, JobStatus, MessageStatus, OutgoingMessage
from tests.support import calllists as cl
from tests.support import require
from tests.support.redisserver import RedisServer, redis_available
from tests.support.smtp import SmtpServer

ROOT = Path(__file__).resolve().parents[1]
ASSOCIATIONS = ("Timrå", "Ånge", "Kramfors")
PER_ROUND = 8


def _worker(env: dict[str, str], log: Path) -> subprocess.Popen:
    with log.open("a") as out:
        return subprocess.Popen([sys.executable, "-c", "from survey.cli import main; main()", "worker"],
                                cwd=ROOT, env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT)


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgresql"])
def test_two_workers_on_one_redis_queue_run_every_job_once(app, load_survey, tmp_path):
    require(redis_available())
    survey = load_survey()
    for association in ASSOCIATIONS:
        for i, person in enumerate(cl.members(association, PER_ROUND)):
            person.email = f"{association.lower()}{i}@example.org"
    db.session.commit()
    invitations.plan(survey, "invitation", "1")
    with RedisServer() as redis, SmtpServer(delay=0.05) as smtp:
        app.config.update(JOBS_ENABLED=True, JOBS_URL=redis.url)
        jobs.init_queue(app)  # this process is "the web server": it only queues
        common = {"KRAFTKARTAN_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
                  "KRAFTKARTAN_SECRET_KEY": "shared-jobs", "KRAFTKARTAN_JOBS": "1",
                  "KRAFTKARTAN_JOBS_URL": redis.url, "KRAFTKARTAN_BASE_URL": "http://kk.test",
                  **{f"KRAFTKARTAN_{k}": str(v) for k, v in smtp.config().items()}}
        log = tmp_path / "workers.log"
        workers = []
        for machine in ("a", "b"):
            folder = tmp_path / machine
            folder.mkdir()
            workers.append(_worker({**common, "KRAFTKARTAN_INSTANCE_PATH": str(folder)}, log))
        try:
            queued = []
            for association in ASSOCIATIONS:
                org = cl.org(association)
                job = jobs.start(KIND, params=params(survey, "invitation", "1", org), title=association)
                db.session.commit()
                assert jobs.enqueue(job) is True
                queued.append(job.id)
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline:
                db.session.remove()
                statuses = db.session.scalars(sa.select(Job.status).where(Job.id.in_(queued))).all()
                if all(s == JobStatus.DONE for s in statuses):
                    break
                time.sleep(0.2)
            else:
                raise AssertionError(f"jobs not done: {statuses}\n{log.read_text()[-3000:]}")
        finally:
            for worker in workers:
                worker.send_signal(signal.SIGINT)
            for worker in workers:
                try:
                    worker.wait(20)
                except subprocess.TimeoutExpired:
                    worker.kill()
        recipients = smtp.recipients()
    assert len(recipients) == len(set(recipients)) == PER_ROUND * len(ASSOCIATIONS)
    assert set(db.session.scalars(sa.select(OutgoingMessage.status))) == {MessageStatus.SENT}
    assert [j.attempts for j in db.session.scalars(sa.select(Job).where(Job.id.in_(queued)))] == [1, 1, 1]
