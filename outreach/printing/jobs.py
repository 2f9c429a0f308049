"""Printing a thousand letters as a job: the PDF is made by `kraftkartan worker`, not within a request.

With jobs on (KRAFTKARTAN_JOBS) "Brev till dem utan e-post" for an association or the district queues a
`printing.letters` job and opens its page: progress goes up letter by letter while the letters are built
(each gets fresh links), then WeasyPrint renders the whole PDF in one step (the heartbeat keeps going). The
PDF is written to the instance folder (`survey.core.job_files`), and the job page links to its download,
which applies the print page's rule again: the job's starter (or an admin), and only while they may still
see its association (organizers: their own; the district: admins). The file is removed
KRAFTKARTAN_JOB_FILES_HOURS (24) after the job, by the worker. One member's letter from the member page
stays in the request: it is quick.

A retried job builds all letters again with new links: the ones the failed attempt issued were never on
paper that anyone received.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator

from flask_babel import gettext as _

from outreach.printing import filters, service
from survey.core import job_files, jobs
from survey.extensions import db
from survey.models import Job, Organisation, User

KIND = "printing.letters"
PROGRESS_EVERY = 1.0  # seconds between progress commits: each commit expires the letters' loaded rows


def params(association: Organisation | None, week: str | None, month: str | None, download: str) -> dict:
    return {
        "association": association.id if association else None,
        "week": week,
        "month": month,
        "download": download,
        "file": None,
    }


def _counting(job: Job):
    """Wrap the letters' members so the job's progress goes up with each letter built."""

    def wrap(items: Iterable) -> Iterator:
        items = list(items)
        jobs.progress(job, 0, len(items))
        last = time.monotonic()
        for done, item in enumerate(items, 1):
            yield item
            if time.monotonic() - last >= PROGRESS_EVERY or done == len(items):
                jobs.progress(job, done)
                last = time.monotonic()

    return wrap


@jobs.job_kind(KIND)
def print_letters(job: Job) -> str:
    p = job.params
    association = db.session.get(Organisation, p["association"]) if p.get("association") else None
    user = db.session.get(User, job.started_by_id) if job.started_by_id else None
    period = filters.parse_period(p.get("week"), p.get("month"))
    with jobs.heartbeat(job):  # rendering a thousand letters reports nothing for minutes
        printed = service.print_letters(
            user,
            association,
            period,
            progress=_counting(job),
            week=p.get("week"),
            month=p.get("month"),
            via="job",
        )
    if printed.rows == 0:  # say so on the job page rather than offer a PDF that says it
        return _("Inga brev att skriva ut: ingen i urvalet saknar e-post och har uppdrag.")
    name = job_files.write(printed.pdf, ".pdf")
    job.params = {**p, "file": name, "filename": printed.filename}
    job.result_url = p["download"]
    return _(
        "%(n)d brev, %(kb)d kB. Filen tas bort efter %(hours)d timmar.",
        n=printed.rows,
        kb=len(printed.pdf) // 1024,
        hours=int(job_files.keep_hours()),
    )
