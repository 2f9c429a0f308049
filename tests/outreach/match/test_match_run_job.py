"""A district-wide matching run as a job: queued from "Kör matchning", run with the time limit, its result
on the job page (proven optimal or not) with a link back to the match page; one at a time."""

from __future__ import annotations

import time
from datetime import timedelta

import sqlalchemy as sa

from outreach.match import jobs as match_jobs
from survey.core import jobs
from survey.extensions import db
from survey.models import Job, JobStatus, MatchRun, utcnow
from tests.conftest import login


def _jobs_on(app, immediate: bool = True) -> None:
    app.config["JOBS_ENABLED"] = True
    app.extensions["huey"].immediate = immediate  # the task runs at once, as a worker would


def test_district_run_goes_to_the_job_page_with_its_result(app, world, client, login_as):
    _jobs_on(app)
    app.config["MATCH_TIME_LIMIT"] = 7.5
    login_as("admin")
    r = client.post("/admin/match/run", data={"association": ""})
    assert r.status_code == 302 and "/admin/jobs/" in r.location
    page = client.get(r.location)
    assert page.status_code == 200 and "Klart" in page.text and "bevisat optimala" in page.text
    assert 'http-equiv="refresh"' not in page.text
    job = db.session.scalars(sa.select(Job)).one()
    assert (job.kind, job.status, job.done, job.total) == (match_jobs.RUN, JobStatus.DONE, 1, 1)
    assert job.params["time_limit"] == 7.5
    assert job.result_url.startswith("/admin/match?week=2030-08-") and "#shift-" in job.result_url
    assert f'href="{job.result_url}"' in page.text
    assert db.session.scalars(sa.select(MatchRun)).one().optimal


def test_a_run_cut_short_by_the_time_limit_says_so(app, world, client, login_as, monkeypatch):
    real = match_jobs.assign.run
    seen = {}

    def cut_short(association, user, now=None, time_limit=None):
        seen["time_limit"] = time_limit
        match_run = real(association, user, now, time_limit)
        match_run.optimal = False  # what a solve stopped by its deadline reports
        return match_run

    monkeypatch.setattr(match_jobs.assign, "run", cut_short)
    _jobs_on(app)
    app.config["MATCH_TIME_LIMIT"] = 30
    login_as("admin")
    page = client.get(client.post("/admin/match/run").location)
    assert seen["time_limit"] == 30
    assert "Tidsgränsen (30 s) nåddes" in page.text and "inte bevisat optimala" in page.text


def test_a_second_press_while_one_runs_opens_that_one(app, world, client, login_as):
    _jobs_on(app, immediate=False)
    admin = login_as("admin")
    running = Job(
        kind=match_jobs.RUN,
        title="Matchning: hela distriktet",
        started_by_id=admin.id,
        params={"association": None, "page": "/admin/match"},
        status=JobStatus.RUNNING,
    )
    db.session.add(running)
    db.session.commit()
    r = client.post("/admin/match/run")
    assert r.status_code == 302 and r.location.endswith(f"/admin/jobs/{running.id}")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Job)) == 1  # not queued twice
    assert "pågår redan" in client.get(r.location).text
    assert f'href="/admin/jobs/{running.id}"' in client.get("/admin/match").text  # the match page says so


def test_a_run_left_by_a_dead_worker_runs_again_once(app, world, login_as):
    _jobs_on(app)
    admin = login_as("admin")
    job = jobs.start(
        match_jobs.RUN, user=admin, params={"association": None, "page": "/admin/match", "time_limit": 10}
    )
    job.status, job.attempts = JobStatus.RUNNING, 1  # claimed, then the worker was killed mid-solve
    job.heartbeat_at = utcnow() - timedelta(minutes=10)
    db.session.commit()
    assert jobs.recover() == [job.id]  # back on the queue, and (immediate) run at once
    db.session.expire_all()
    job = db.session.get(Job, job.id)
    assert (job.status, job.attempts) == (JobStatus.DONE, 2)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MatchRun)) == 1


def test_without_jobs_the_district_run_stays_in_the_request(app, world, client, login_as):
    login_as("admin")
    r = client.post("/admin/match/run")
    assert r.status_code == 302 and "/admin/match" in r.location and "/admin/jobs/" not in r.location
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Job)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MatchRun)) == 1


def test_an_association_run_stays_in_the_request_and_others_jobs_are_hidden(app, world, client, make_user):
    _jobs_on(app)
    admin = make_user("admin")
    job = jobs.start(match_jobs.RUN, user=admin, params={"association": None, "page": "/admin/match"})
    db.session.commit()
    login(client, make_user("organizer", "Timrå"))
    r = client.post("/admin/match/run", data={"association": world["timra"].id})
    assert r.status_code == 302 and "/admin/jobs/" not in r.location
    assert client.get(f"/admin/jobs/{job.id}").status_code == 404


def test_heartbeat_beats_while_a_long_step_reports_nothing(app, world):
    job = jobs.start(match_jobs.RUN, params={"association": None, "page": "/admin/match"})
    db.session.commit()
    with jobs.heartbeat(job, every=0.05):
        time.sleep(0.3)
    db.session.expire_all()
    assert db.session.get(Job, job.id).heartbeat_at is not None


def test_the_heartbeat_goes_on_while_the_engine_solves(app, world, client, login_as, monkeypatch):
    """A solve longer than JOBS_STALE_SECONDS must not look like a dead worker (recover would rerun it)."""
    real = match_jobs.assign.run
    seen = []

    def beat_of(job_id):
        with db.engine.connect() as conn:  # as another process sees it
            return conn.scalar(sa.select(Job.heartbeat_at).where(Job.id == job_id))

    def slow(association, user, now=None, time_limit=None):
        job_id = db.session.scalar(sa.select(Job.id))
        before = beat_of(job_id)
        time.sleep(0.5)
        seen.append(beat_of(job_id) > before)
        return real(association, user, now, time_limit)

    monkeypatch.setattr(match_jobs.assign, "run", slow)
    _jobs_on(app)
    app.config["JOBS_STALE_SECONDS"] = 0.2  # a beat every 0.05 s
    login_as("admin")
    client.post("/admin/match/run")
    assert seen == [True]


def test_two_presses_at_once_leave_one_job(app, world, client, login_as, monkeypatch):
    _jobs_on(app, immediate=False)
    admin = login_as("admin")
    earlier = Job(kind=match_jobs.RUN, started_by_id=admin.id, params={}, status=JobStatus.QUEUED)
    db.session.add(earlier)
    db.session.commit()
    real, calls = match_jobs.running_district_run, []

    def blind_first(*args):  # the other press committed just after this one looked
        calls.append(1)
        return None if len(calls) == 1 else real()

    monkeypatch.setattr(match_jobs, "running_district_run", blind_first)
    r = client.post("/admin/match/run")
    assert r.location.endswith(f"/admin/jobs/{earlier.id}")
    assert db.session.scalars(sa.select(Job.id)).all() == [earlier.id]
