"""A round of invitations as a job: the page hands it to the queue and shows its progress and result."""

from __future__ import annotations

import sqlalchemy as sa

from survey.extensions import db
from survey.invitations import services as invitations
from survey.models import Job, JobStatus, MessageStatus, OutgoingMessage
from tests.support import calllists as cl
from tests.support.smtp import SmtpServer


def test_sending_a_round_as_a_job_shows_its_page_and_result(app, client, login_as, load_survey):
    survey = load_survey()
    for i, person in enumerate(cl.members("Timrå", 5)):
        person.email = f"m{i}@example.org"
    db.session.commit()
    invitations.plan(survey, "invitation", "1")
    db.session.commit()
    app.config["JOBS_ENABLED"] = True
    app.extensions["huey"].immediate = True  # the task runs at once, as a worker would
    login_as("organizer", "Timrå")
    org = cl.org("Timrå")
    with SmtpServer() as smtp:
        app.config.update(smtp.config())
        r = client.post("/admin/invitations/send", data={"survey": survey.slug, "kind": "invitation",
                                                          "round": "1", "association": org.slug})
        assert r.status_code == 302 and "/admin/jobs/" in r.location
        page = client.get(r.location)
    assert page.status_code == 200 and "Klart" in page.text and "Skickade 5" in page.text
    assert 'http-equiv="refresh"' not in page.text  # done: the page stops refreshing
    assert len(smtp.recipients()) == 5
    job = db.session.scalars(sa.select(Job)).one()
    assert (job.status, job.done, job.total, job.attempts) == (JobStatus.DONE, 5, 5, 1)
    statuses = set(db.session.scalars(sa.select(OutgoingMessage.status)))
    assert statuses == {MessageStatus.SENT}
    assert "Utskick: 1, Timrå" in client.get("/admin/jobs").text


def test_another_users_job_is_not_found(client, login_as, make_user):
    other = make_user("organizer", "Sundsvall", email="annan@example.org")
    job = Job(kind="invitations.send", title="Annans", started_by_id=other.id, params={})
    db.session.add(job)
    db.session.commit()
    login_as("organizer", "Timrå")
    assert client.get(f"/admin/jobs/{job.id}").status_code == 404
    assert "Annans" not in client.get("/admin/jobs").text
