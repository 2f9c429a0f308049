"""Sending a round of invitations or reminders as a job: the whole round, off the request.

The page's batch (a few hundred messages within a proxy's timeout) is what a request can do; a job sends
everything pending in the round, committing each message through the outbox, and shows its progress on the
job page. Killed halfway, the job is picked up again by the next worker (`survey.core.jobs.recover`) and
goes on with what is still pending: nobody gets a message twice.
"""

from __future__ import annotations

from flask import current_app

from survey.core import jobs
from survey.extensions import db
from survey.invitations import services as invitations
from survey.models import Job, Organisation, Survey, User

KIND = "invitations.send"


def params(survey: Survey, kind: str, round_name: str, association: Organisation | None) -> dict:
    return {"survey": survey.id, "kind": kind, "round": round_name,
            "association": association.id if association else None}


@jobs.job_kind(KIND)
def send_round(job: Job) -> str:
    p = job.params
    survey = db.session.get(Survey, p["survey"])
    org = db.session.get(Organisation, p["association"]) if p.get("association") else None
    user = db.session.get(User, job.started_by_id) if job.started_by_id else None
    scope = {"user": user, "association": org}
    jobs.progress(job, job.done, job.done + invitations.pending_count(survey, p["kind"], p["round"], **scope))
    base_url = current_app.config["PUBLIC_BASE_URL"]
    return jobs.send_mail(job, lambda smtp: invitations.deliver(survey, p["kind"], p["round"], smtp,
                                                               base_url=base_url, **scope))
