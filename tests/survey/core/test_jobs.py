"""Jobs: the row records progress and the result; a failed run is recorded and a retry finishes it once."""

import pytest

from survey.core import jobs
from survey.extensions import db
from survey.models import Job, JobStatus


@pytest.fixture
def counting_kind():
    """A job kind that fails on its first run (a crash mid-job) and counts the items it handles."""
    handled: list[int] = []
    state = {"runs": 0}

    def work(job: Job) -> str:
        state["runs"] += 1
        for item in range(job.done, 3):  # resumes from recorded progress, like the outbox resumes
            if state["runs"] == 1 and item == 1:
                raise RuntimeError("worker died")
            handled.append(item)
            jobs.progress(job, item + 1, 3)
        return f"{len(handled)} handled"

    jobs.KINDS["test-count"] = work
    yield handled
    jobs.KINDS.pop("test-count")


def test_foreground_job_runs_through_and_retry_resumes(app, counting_kind):
    job = jobs.start("test-count", title="Räkna")
    db.session.commit()
    with pytest.raises(RuntimeError):
        jobs.enqueue(job)  # jobs are off in tests: runs now, in the foreground
    job = db.session.get(Job, job.id)
    assert (job.status, job.done, job.error) == (JobStatus.FAILED, 1, "RuntimeError: worker died")
    jobs.run(job.id)
    job = db.session.get(Job, job.id)
    assert (job.status, job.done, job.total, job.result) == (JobStatus.DONE, 3, 3, "3 handled")
    assert counting_kind == [0, 1, 2]  # nothing handled twice
    jobs.run(job.id)  # a duplicate delivery of a finished job does nothing
    assert counting_kind == [0, 1, 2]


def test_enabled_jobs_go_through_the_queue(app, counting_kind):
    app.config["JOBS_ENABLED"] = True
    huey = app.extensions["huey"]
    huey.immediate = True  # Huey runs the task at enqueue, with in-memory storage
    job = jobs.start("test-count", title="Räkna")
    db.session.commit()
    jobs.enqueue(job)  # first run fails, in the task's own app context (as in the worker)
    db.session.expire_all()
    assert db.session.get(Job, job.id).status == JobStatus.FAILED
    jobs.run(job.id)
    assert db.session.get(Job, job.id).status == JobStatus.DONE
    assert counting_kind == [0, 1, 2]


def test_worker_command_is_registered(app):
    assert "worker" in app.cli.commands
    assert "Run queued jobs" in app.cli.commands["worker"].help
