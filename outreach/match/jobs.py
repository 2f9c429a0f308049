"""Sending the task offers of a publish as a job: every queued e-mail, off the request.

A publish commits its asks and queues one e-mail per member (the outbox); the page used to send a batch
of them within the request and leave the rest for "Skicka väntande e-post". With jobs on
(KRAFTKARTAN_JOBS) the page hands all of them to `kraftkartan worker` and links to the job's page; a
retried or recovered job sends what is still pending, and the outbox never sends a message twice.
"""

from __future__ import annotations

import sqlalchemy as sa

from outreach.match import offers
from survey.core import jobs
from survey.extensions import db
from survey.models import Job, MessageStatus, OutgoingMessage

KIND = "match.offers"


@jobs.job_kind(KIND)
def send_offers(job: Job) -> str:
    ids = [int(i) for i in job.params.get("messages", [])]
    pending = set(db.session.scalars(sa.select(OutgoingMessage.id).where(
        OutgoingMessage.id.in_(ids), OutgoingMessage.status == MessageStatus.PENDING)))
    todo = [i for i in ids if i in pending]
    jobs.progress(job, len(ids) - len(todo), len(ids))
    return jobs.send_mail(job, lambda smtp: offers.deliver(todo, smtp))
