"""A big registry import from the upload page as a job (`registry.import`), off the request.

With jobs on (KRAFTKARTAN_JOBS) the upload page saves the file in the instance folder
(`survey.core.job_files`, mode 600) and queues the import; the job page then shows the same report the
upload page shows (counts, problems and notes by row number) and the import's CSV report.

The import stays ONE transaction, all or nothing, so it cannot commit progress as it goes: the job page
shows coarse steps instead (reading, checking, writing), written beside the import's transaction by the
heartbeat. The uploaded file holds personal data and is deleted when the job ends, whatever happened; a
job whose worker was killed outright still has it, runs again from the start (the killed transaction was
rolled back) and deletes it then, and the worker's sweep removes any file left past
KRAFTKARTAN_JOB_FILES_HOURS.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from survey.core import job_files, jobs
from survey.extensions import db
from survey.models import Job, User

KIND = "registry.import"
STEPS = 3  # 1 reading, 2 checking, 3 writing
SHOWN = 500  # notes kept for the job page, as the upload page shows; all of them are in the CSV report


def params(name: str, filename: str, *, dry_run: bool, strict: bool, full: bool) -> dict[str, Any]:
    return {
        "file": name,
        "filename": filename,
        "dry_run": dry_run,
        "strict": strict,
        "full": full,
        "report": None,
    }


def _notes(notes: list) -> list[dict[str, Any]]:
    return [
        {"row": n.row, "column": n.column, "value": n.value, "message": n.message, "problem": n.problem}
        for n in notes[:SHOWN]
    ]


def report(result: Any) -> dict[str, Any]:
    """What the upload page shows of an ImportResult, as plain data the job's row can keep."""
    keys = (
        "rows",
        "created",
        "updated",
        "unchanged",
        "marked_left",
        "skipped",
        "problems",
        "refused",
        "dry_run",
        "unknown_columns",
    )
    return {
        **{k: getattr(result, k) for k in keys},
        "record_id": result.record.id if result.record else None,
        "problem_notes": _notes(result.problem_notes),
        "problem_total": len(result.problem_notes),
        "info_notes": _notes(result.info_notes),
        "info_total": len(result.info_notes),
    }


@jobs.job_kind(KIND)
def import_file(job: Job) -> str:
    from survey.registry.read import RegistryFileError
    from survey.registry.services import import_registry

    p, job_id, found = dict(job.params), job.id, job_files.path(job)
    try:
        if found is None:
            first = p.get("failed")
            raise RuntimeError(
                _(
                    "Importen misslyckades: %(error)s. Den uppladdade filen är borttagen; ladda upp den "
                    "igen.",
                    error=first,
                )
                if first
                else _(
                    "Den uppladdade filen finns inte längre (den tas bort efter ett misslyckat "
                    "försök). Ladda upp den igen."
                )
            )
        jobs.progress(job, 1, STEPS)
        user = db.session.get(User, job.started_by_id) if job.started_by_id else None
        error = None
        try:
            with jobs.heartbeat(job) as beat:
                shown = 1

                def step(done: int, total: int) -> None:
                    nonlocal shown
                    wanted = 2 if done < total / 2 else 3  # the rows are checked, then written
                    if wanted != shown:
                        shown = wanted
                        beat.step(wanted)

                result = import_registry(
                    found.read_bytes(),
                    p["filename"],
                    user=user,
                    dry_run=p["dry_run"],
                    strict=p["strict"],
                    full=p["full"],
                    progress=step,
                )
        except RegistryFileError as exc:  # the file as a whole cannot be used: a result, not a crash
            result, error = None, str(exc)
        except Exception as exc:  # the heartbeat has stopped: the job's row is ours to write
            _keep_first_error(job_id, p, exc)
            raise
        if result is None or result.dry_run:
            db.session.rollback()  # nothing of a dry run or an unusable file is kept
        job = db.session.get(Job, job_id)
        job.done = STEPS
        job.params = {**p, "file": None, "report": {"error": error} if result is None else report(result)}
        if result is None:
            return error
        if result.dry_run:
            return _("Provkörning: inget sparades.") + " " + result.summary()
        if result.refused:
            return _("Filen avvisades: inget ändrades.") + " " + result.summary()
        return result.summary()
    finally:
        if found is not None:
            found.unlink(missing_ok=True)  # personal data: gone when the job ends, whatever happened


def _keep_first_error(job_id: int, p: dict[str, Any], exc: Exception) -> None:
    """The import's transaction is lost and its file is deleted as the job ends, so Huey's retry can only
    say "upload it again": keep what went wrong the first time on the job's row for that message to name."""
    db.session.rollback()
    job = db.session.get(Job, job_id)
    if job is not None:
        job.params = {**p, "file": None, "failed": f"{type(exc).__name__}: {exc}"[:500]}
        db.session.commit()
