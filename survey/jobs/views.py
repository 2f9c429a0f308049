"""The job pages: what a long piece of work is doing now, and where its result is.

A job's page refreshes itself every few seconds while it runs (a meta refresh: no script needed), so an
organizer who started a round of invitations can watch it or close the tab and come back. Admins see every
job; others the jobs they started. Another user's job answers 404.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, redirect, render_template, url_for
from flask_login import current_user

from survey.core import jobs
from survey.core.access import staff_required
from survey.extensions import db
from survey.models import Job, JobStatus

bp = Blueprint("jobs", __name__, url_prefix="/admin/jobs")
SHOWN = 50


def queued(job: Job):
    """What a page answers once it has made a job: commit it, hand it to the worker (or run it here when
    jobs are off) and go to its page, where its progress and result are."""
    db.session.commit()
    jobs.enqueue(job)
    return redirect(url_for("jobs.show", job_id=job.id))


@bp.get("")
@staff_required
def index():
    query = sa.select(Job).order_by(Job.created_at.desc(), Job.id.desc()).limit(SHOWN)
    if not current_user.is_admin:
        query = query.where(Job.started_by_id == current_user.id)
    return render_template("jobs/index.html", jobs=db.session.scalars(query).all())


@bp.get("/<int:job_id>")
@staff_required
def show(job_id: int):
    job = db.session.get(Job, job_id)
    if job is None or not jobs.visible(current_user, job):
        abort(404)
    working = job.status in (JobStatus.QUEUED, JobStatus.RUNNING)
    return render_template("jobs/show.html", job=job, working=working)
