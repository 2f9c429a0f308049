"""Letters as a job: the page queues them, the job page shows progress and offers the PDF, the download
follows the print page's rule, a crash is retried, and the file goes after its time."""

from __future__ import annotations

import os
import re
import stat
from urllib.parse import urlsplit

import sqlalchemy as sa

from outreach.printing import jobs as letter_jobs
from outreach.printing import service
from survey.core import job_files, jobs
from survey.extensions import db
from survey.models import Job, JobStatus
from tests.conftest import login
from tests.support import pdf


def _jobs_on(app) -> None:
    app.config["JOBS_ENABLED"] = True
    app.extensions["huey"].immediate = True  # the task runs at once, as a worker would


def _queue(client) -> str:
    r = client.post("/admin/print/letters.pdf", data={"association": "timra", "week": "all"})
    assert r.status_code == 302 and "/admin/jobs/" in r.location, r.text[:300]
    return r.location


def test_letters_job_offers_the_pdf_to_its_starter_only(app, district, client, make_user):
    _jobs_on(app)
    login(client, make_user("organizer", "Timrå"))
    page = client.get(_queue(client))
    assert page.status_code == 200 and "Klart" in page.text and "1 brev" in page.text
    job = db.session.scalars(sa.select(Job)).one()
    assert (job.kind, job.status, job.done, job.total) == (letter_jobs.KIND, JobStatus.DONE, 1, 1)
    assert f'href="{job.result_url}"' in page.text
    assert stat.S_IMODE(os.stat(job_files.path(job)).st_mode) == 0o600
    got = client.get(job.result_url)
    assert got.status_code == 200 and got.mimetype == "application/pdf"
    assert "attachment" in got.headers["Content-Disposition"]
    text = pdf.text(got.data)
    assert "Tova Timråsson" in text and "Ångesson" not in text
    url = re.search(r"http://kk\.test/t/\S+", text)[0]
    assert client.get(urlsplit(url).path).status_code == 200  # committed: the printed link works
    other = app.test_client()
    login(other, make_user("organizer", "Ånge"))
    assert other.get(f"/admin/jobs/{job.id}").status_code == 404
    assert other.get(job.result_url).status_code == 404


def test_an_admins_district_letters_need_an_admin(app, district, client, make_user):
    _jobs_on(app)
    login(client, make_user("admin"))
    r = client.post("/admin/print/letters.pdf", data={"week": "all"})
    job = db.session.scalars(sa.select(Job)).one()
    assert r.location.endswith(f"/admin/jobs/{job.id}") and job.params["association"] is None
    assert client.get(job.result_url).status_code == 200
    # An organizer the job was somehow handed to still may not read the district's letters.
    organizer = make_user("organizer", "Timrå")
    job.started_by_id = organizer.id
    db.session.commit()
    other = app.test_client()
    login(other, organizer)
    assert other.get(job.result_url).status_code == 404


def test_a_crashed_letters_job_is_retried_and_then_done(app, district, client, make_user, monkeypatch):
    real = service.print_letters
    calls = []

    def crash_once(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("worker died while rendering")
        return real(*args, **kwargs)

    monkeypatch.setattr(letter_jobs.service, "print_letters", crash_once)
    app.config["JOBS_ENABLED"] = True
    app.extensions["huey"].immediate = True
    login(client, make_user("organizer", "Timrå"))
    _queue(client)  # the first run fails (Huey logs it and would retry in 5 s)
    job = db.session.scalars(sa.select(Job)).one()
    assert job.status == JobStatus.FAILED and job.result_url is None and not job.params.get("file")
    jobs.run(job.id)  # Huey's retry
    db.session.expire_all()
    job = db.session.get(Job, job.id)
    assert job.status == JobStatus.DONE and "Tova Timråsson" in pdf.text(client.get(job.result_url).data)


def test_the_file_is_removed_after_its_time(app, district, client, make_user):
    _jobs_on(app)
    login(client, make_user("organizer", "Timrå"))
    client.get(_queue(client))
    job = db.session.scalars(sa.select(Job)).one()
    url, found = job.result_url, job_files.path(job)
    assert job_files.sweep() == 0 and found.exists()  # still within its 24 hours
    app.config["JOB_FILES_HOURS"] = 0
    assert job_files.sweep() >= 1 and not found.exists()
    db.session.expire_all()
    assert db.session.get(Job, job.id).result_url is None
    assert client.get(url).status_code == 404
    assert "Öppna resultatet" not in client.get(f"/admin/jobs/{job.id}").text


def test_without_jobs_the_letters_come_straight_back(app, district, client, make_user):
    login(client, make_user("organizer", "Timrå"))
    r = client.post("/admin/print/letters.pdf", data={"association": "timra", "week": "all"})
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Job)) == 0


def test_a_job_with_no_letters_says_so_and_offers_no_file(app, district, client, make_user):
    """Everyone in the selection has email (or no task): the job page says there is nothing to print
    instead of offering a PDF that only says it."""
    _jobs_on(app)
    login(client, make_user("organizer", "Timrå"))
    before = set(job_files.folder().iterdir())
    r = client.post("/admin/print/letters.pdf", data={"association": "timra", "week": "1999-W01"})
    assert r.status_code == 302 and "/admin/jobs/" in r.location, r.text[:300]
    job = db.session.scalars(sa.select(Job)).one()
    assert job.status == JobStatus.DONE and job.result_url is None
    assert "Inga brev att skriva ut" in job.result
    page = client.get(urlsplit(r.location).path).get_data(as_text=True)
    assert "Inga brev att skriva ut" in page and ".pdf" not in page
    assert set(job_files.folder().iterdir()) == before
