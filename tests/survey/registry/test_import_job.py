"""A registry import from the upload page as a job: the file waits in the instance folder, the import is
one transaction, the job page shows the upload page's report, and the file is gone afterwards."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from survey.core import job_files, jobs
from survey.extensions import db
from survey.models import Job, JobStatus, Member, MemberImport, utcnow
from survey.registry import jobs as import_jobs
from tests.conftest import login

DATA = "Medlemsnr;Förnamn;Efternamn;Mobil;Postnr\n1;Åsa;Öberg;070-123 45 67;85230\n2;Bo;;;\n".encode("cp1252")


def _upload(client, data: bytes = DATA, name: str = "medlemmar.csv", **flags):
    form = {"file": FileStorage(io.BytesIO(data), name), **{k: "y" for k, v in flags.items() if v}}
    boundary, body = encode_multipart(form)
    return client.post(
        "/admin/members/import", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )


def _jobs_on(app, immediate: bool = True) -> None:
    app.config["JOBS_ENABLED"] = True
    app.extensions["huey"].immediate = immediate


def _files() -> list:
    return [p for p in job_files.folder().iterdir() if p.suffix == ".upload"]


def test_an_import_job_shows_the_report_and_deletes_the_file(app, client, login_as, make_org, make_user):
    make_org("Sundsvall")
    _jobs_on(app)
    before = set(_files())
    login_as("admin")
    r = _upload(client)
    assert r.status_code == 302 and "/admin/jobs/" in r.location
    page = client.get(r.location)
    assert page.status_code == 200 and "Klart" in page.text and "Importen är klar" in page.text
    assert "Rad 3" in page.text and "Efternamn saknas." in page.text  # the problem, by row number
    assert "Förening satt till Sundsvall utifrån postnumret." in page.text
    job = db.session.scalars(sa.select(Job)).one()
    assert (job.kind, job.status, job.done, job.total) == (import_jobs.KIND, JobStatus.DONE, 3, 3)
    record = db.session.scalar(sa.select(MemberImport))
    assert (record.filename, record.created, record.problems) == ("medlemmar.csv", 1, 1)
    assert f"/admin/members/imports/{record.id}/report.csv" in page.text
    assert client.post(f"/admin/members/imports/{record.id}/report.csv").status_code == 200
    assert db.session.scalar(sa.select(Member.first_name)) == "Åsa"
    assert set(_files()) == before and not job.params["file"]  # personal data: gone
    other = app.test_client()
    login(other, make_user("organizer", "Sundsvall"))
    assert other.get(f"/admin/jobs/{job.id}").status_code == 404


def test_dry_run_and_strict_keep_nothing_but_the_report(app, client, login_as, make_member):
    make_member(member_number="77")
    _jobs_on(app)
    login_as("admin")
    data = b"Medlemsnr,Fornamn,Efternamn\n1,A,B\n2,C,\n"
    dry = client.get(_upload(client, data, dry_run=True, full=True).location)
    assert "Provkörning: inget sparades" in dry.text and "Rad 3" in dry.text
    strict = client.get(_upload(client, data, strict=True).location)
    assert "Filen avvisades: inget ändrades" in strict.text
    db.session.expire_all()
    assert db.session.scalars(sa.select(Member.member_number)).all() == ["77"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MemberImport)) == 1  # strict's record
    assert [j.status for j in db.session.scalars(sa.select(Job))] == [JobStatus.DONE, JobStatus.DONE]


def test_an_unusable_file_is_a_result_and_is_deleted(app, client, login_as):
    _jobs_on(app)
    before = set(_files())
    login_as("admin")
    page = client.get(_upload(client, b"Namn;Telefon\nAsa;070\n").location)
    job = db.session.scalars(sa.select(Job)).one()
    assert job.status == JobStatus.DONE and job.params["report"]["error"] and "kolumner saknas" in page.text
    assert set(_files()) == before


def test_a_failing_import_writes_nothing_and_still_deletes_the_file(
    app, client, login_as, make_org, monkeypatch
):
    from survey.registry import services

    make_org("Sundsvall")

    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(services, "_record", broken)  # after the members' rows were written
    _jobs_on(app)
    before = set(_files())
    login_as("admin")
    _upload(client)
    job = db.session.scalars(sa.select(Job)).one()
    assert job.status == JobStatus.FAILED and "database went away" in job.error
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Member)) == 0  # all or nothing
    assert set(_files()) == before
    with pytest.raises(RuntimeError):
        jobs.run(job.id)  # Huey's retry: the file is gone, and the job says what to do
    db.session.expire_all()
    error = db.session.get(Job, job.id).error
    assert "ladda upp den igen" in error and "database went away" in error  # what went wrong the first time


def test_an_import_left_by_a_killed_worker_runs_again_from_its_file(app, client, login_as, make_org):
    make_org("Sundsvall")
    _jobs_on(app, immediate=False)
    admin = login_as("admin")
    job = jobs.start(
        import_jobs.KIND,
        user=admin,
        params=import_jobs.params(
            job_files.write(DATA, ".upload"), "medlemmar.csv", dry_run=False, strict=False, full=False
        ),
    )
    job.status, job.attempts, job.heartbeat_at = JobStatus.RUNNING, 1, utcnow() - timedelta(minutes=10)
    db.session.commit()  # the killed worker's transaction was rolled back: nothing of it is here
    path = job_files.path(job)
    app.extensions["huey"].immediate = True
    assert jobs.recover() == [job.id]
    db.session.expire_all()
    job = db.session.get(Job, job.id)
    assert (job.status, job.attempts) == (JobStatus.DONE, 2)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Member)) == 1
    assert not path.exists()


def test_without_jobs_the_upload_page_imports_at_once(app, client, login_as, make_org):
    make_org("Sundsvall")
    login_as("admin")
    r = _upload(client)
    assert r.status_code == 200 and "Importen är klar" in r.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Job)) == 0


def test_a_running_import_shows_its_step(app, client, login_as):
    admin = login_as("admin")
    job = Job(
        kind=import_jobs.KIND,
        title="Import: stor.csv",
        started_by_id=admin.id,
        status=JobStatus.RUNNING,
        done=2,
        total=3,
        params={"file": None, "report": None},
    )
    db.session.add(job)
    db.session.commit()
    page = client.get(f"/admin/jobs/{job.id}")
    assert "Kontrollerar raderna" in page.text and "allt eller inget" in page.text
    assert 'http-equiv="refresh"' in page.text
