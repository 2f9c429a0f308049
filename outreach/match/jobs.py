"""Matching's two jobs: a district-wide run with a time limit, and the task offers of a publish.

`match.run`: a run for the whole district can take minutes, more than a proxy waits for a page. With jobs
on (KRAFTKARTAN_JOBS) "Kör matchning" for the district queues it and opens the job's page; the engine gets
KRAFTKARTAN_MATCH_TIME_LIMIT seconds for its branch-and-bound stage and the result says whether the
proposals are proven optimal. A run replaces only proposals, so a retried or recovered job simply runs
again. Only one district run is queued or running at a time (`running_district_run`).

`match.offers`: a publish commits its asks and queues one e-mail per member (the outbox); the page used to
send a batch of them within the request and leave the rest for "Skicka väntande e-post". With jobs on the
page hands all of them to `kraftkartan worker` and links to the job's page; a retried or recovered job
sends what is still pending, and the outbox never sends a message twice.
"""

from __future__ import annotations

from urllib.parse import urlencode

import sqlalchemy as sa
from flask_babel import gettext as _

from outreach.match import networks, offers, problem, weeks
from outreach.match import services as assign
from survey.core import jobs
from survey.extensions import db
from survey.models import Job, JobStatus, MessageStatus, Organisation, OutgoingMessage, User

KIND = "match.offers"
RUN = "match.run"


def running_district_run() -> Job | None:
    """The district run already queued or running, if any: a second press goes to its page instead."""
    return db.session.scalars(
        sa.select(Job)
        .where(Job.kind == RUN, Job.status.in_([JobStatus.QUEUED, JobStatus.RUNNING]))
        .order_by(Job.id)
    ).first()


@jobs.job_kind(RUN)
def run_match(job: Job) -> str:
    p = job.params
    association = db.session.get(Organisation, p["association"]) if p.get("association") else None
    user = db.session.get(User, job.started_by_id) if job.started_by_id else None
    # The networks' lists first, committed with the progress: then the job's session writes nothing
    # until the solve is over, and the heartbeat's own connection is never kept waiting (SQLite: a lock).
    networks.sync_networks()
    jobs.progress(job, 0, 1)
    with jobs.heartbeat(job):  # the solve reports nothing for minutes
        match_run = assign.run(association, user, problem.local_now(), time_limit=p.get("time_limit"))
    first = weeks.first_proposal(user, association) if user else None
    query = {"association": association.id} if association else {}
    if first is not None:
        query["week"] = first.start_local.date().isoformat()
    job.result_url = p["page"] + (f"?{urlencode(query)}" if query else "")
    if first is not None:
        job.result_url += f"#shift-{first.id}"
    job.done = 1
    made = (match_run.stats or {}).get("assigned", 0)
    if match_run.optimal:
        return _("Matchningen är klar: %(n)d förslag, bevisat optimala.", n=made)
    return _(
        "Matchningen är klar: %(n)d förslag. Tidsgränsen (%(s)d s) nåddes: förslagen är bra men inte "
        "bevisat optimala.",
        n=made,
        s=int(p.get("time_limit") or 0),
    )


@jobs.job_kind(KIND)
def send_offers(job: Job) -> str:
    ids = [int(i) for i in job.params.get("messages", [])]
    pending = set(
        db.session.scalars(
            sa.select(OutgoingMessage.id).where(
                OutgoingMessage.id.in_(ids), OutgoingMessage.status == MessageStatus.PENDING
            )
        )
    )
    todo = [i for i in ids if i in pending]
    jobs.progress(job, len(ids) - len(todo), len(ids))
    return jobs.send_mail(job, lambda smtp: offers.deliver(todo, smtp))
