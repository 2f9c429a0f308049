"""Print-outs on the web: thin routes that pick the scope the way the page they sit on does, print
through outreach.printing.service and answer with the PDF.

- matches, rosters, summary: GET links (they change nothing but the audit log);
- letters: POST with CSRF, because printing gives the asks fresh links and the old ones stop working;
  with jobs on, an association's or the district's letters are a job (outreach.printing.jobs) and its
  PDF is fetched from `letters_file` by the same rule as the print page;
- a shift's attendance page: the roster's ticks typed back in (POST, organizers of the shift only).

Scoping: organizers print only their associations (another association: 404, the district: 403), and
other associations' members are named only when asked to the task (see access.can_see_contact).
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from outreach.printing import filters, rosters, service
from outreach.printing import jobs as letter_jobs
from survey.core import access, audit, job_files, jobs
from survey.core.access import association_ids, member_or_404, require_association, staff_required
from survey.extensions import db
from survey.jobs import views as job_pages
from survey.models import Job, Organisation, OrganisationKind, Shift, Survey, utcnow

bp = Blueprint("printing", __name__)


class CsrfForm(FlaskForm):
    """Only a CSRF token."""


def _pdf(printed: service.Printed) -> Response:
    return Response(printed.pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f"attachment; filename={printed.filename}"})


def _association() -> Organisation | None:
    """The association asked for (id or slug); organizers default to their first, never the district."""
    try:
        org = filters.association_by(request.values.get("association", ""))
    except filters.FilterError:
        abort(404)
    if org is None:
        if association_ids(current_user) is None:
            return None
        mine = access.visible_associations(current_user)
        if not mine:
            abort(403)
        return mine[0]
    require_association(current_user, org.id)
    return org


def _period() -> filters.Period:
    try:
        return filters.parse_period(request.values.get("week") or None, request.values.get("month") or None)
    except filters.FilterError:
        abort(400)


def _shift(shift_id: int) -> Shift:
    shift = db.session.get(Shift, shift_id)
    if shift is None or not access.can_see_task(current_user, shift.task):
        abort(404)
    return shift


@bp.get("/admin/print/matches.pdf")
@staff_required
def matches():
    association = _association()
    try:
        statuses = filters.parse_statuses(request.args.getlist("status"))
    except filters.FilterError:
        abort(400)
    period = _period()
    printed = service.print_matches(current_user, association, period, statuses,
                                    week=request.args.get("week"), month=request.args.get("month"))
    db.session.commit()
    return _pdf(printed)


@bp.get("/admin/print/rosters.pdf")
@staff_required
def rosters_pdf():
    association = _association()
    printed = service.print_rosters(current_user, association, _period(), week=request.args.get("week"),
                                    month=request.args.get("month"))
    db.session.commit()
    return _pdf(printed)


@bp.get("/admin/print/shifts/<int:shift_id>/roster.pdf")
@staff_required
def roster(shift_id: int):
    shift = _shift(shift_id)
    printed = service.print_rosters(current_user, shift.task.association, filters.Period(None, None),
                                    shift_ids={shift.id})
    db.session.commit()
    return _pdf(printed)


@bp.post("/admin/print/letters.pdf")
@staff_required
def letters():
    CsrfForm().validate_on_submit() or abort(400)
    raw = request.form.get("member", "")
    if raw.isdigit():  # one member's letter, from the member page, whether or not they have email
        member = member_or_404(current_user, int(raw))
        dated = request.form.get("week") or request.form.get("month")
        period = _period() if dated else filters.Period(None, None)  # default: all the member's tasks
        printed = service.print_letters(current_user, member.association, period, member_ids={member.id},
                                        without_email=False)
    else:
        association, period = _association(), _period()
        week, month = request.form.get("week") or None, request.form.get("month") or None
        if jobs.jobs_enabled():  # a thousand letters: built and rendered by the worker, fetched after
            return _letters_job(association, week, month)
        printed = service.print_letters(current_user, association, period, week=week, month=month)
    db.session.commit()  # the links on the paper must be the valid ones
    return _pdf(printed)


def _letters_job(association: Organisation | None, week: str | None, month: str | None):
    where = association.name if association else _("hela distriktet")
    job = jobs.start(letter_jobs.KIND, user=current_user, title=_("Brev: %(where)s", where=where),
                     params=letter_jobs.params(association, week, month, download=""))
    job.params = {**job.params, "download": url_for(".letters_file", job_id=job.id)}
    return job_pages.queued(job)


@bp.get("/admin/print/letters/<int:job_id>.pdf")
@staff_required
def letters_file(job_id: int):
    """A letters job's PDF: for whoever may see the job and, like the print page, its association."""
    job = db.session.get(Job, job_id)
    if job is None or job.kind != letter_jobs.KIND or not jobs.visible(current_user, job):
        abort(404)
    require_association(current_user, job.params.get("association"))
    found = job_files.path(job)
    if found is None:
        abort(404)
    audit.record(current_user, "download", f"letters-job:{job.id}",
                 association_id=job.params.get("association"))
    db.session.commit()
    name = job.params.get("filename") or f"brev-{job.id}.pdf"
    return _pdf(service.Printed(found.read_bytes(), name, 0))


@bp.get("/admin/print/summary.pdf")
@staff_required
def summary():
    scope = request.args.get("scope", "")
    if scope in ("", "district"):
        if association_ids(current_user) is not None:
            abort(403)
        association, ids = None, None
    else:
        org = db.session.scalar(sa.select(Organisation).where(
            Organisation.slug == scope, Organisation.kind == OrganisationKind.ASSOCIATION))
        if org is None:
            abort(404)
        require_association(current_user, org.id)
        association, ids = org, {org.id}
    printed = service.print_summary(current_user, _survey(request.args.get("survey")), association, ids)
    db.session.commit()
    return _pdf(printed)


@bp.post("/admin/surveys/<slug>/export.pdf")
@staff_required
def survey_pdf(slug: str):
    """The survey page's PDF export: the board summary for what the user may see (several associations
    of an organizer are counted together)."""
    survey = db.session.scalar(sa.select(Survey).where(Survey.slug == slug)) or abort(404)
    allowed = association_ids(current_user)
    association = None
    if allowed is not None and len(allowed) == 1:
        association = db.session.get(Organisation, next(iter(allowed)))
    printed = service.print_summary(current_user, survey, association, allowed)
    db.session.commit()
    return _pdf(printed)


def _survey(slug: str | None) -> Survey:
    """The survey asked for, else the newest open one, else the newest (as the overview chooses)."""
    found = db.session.scalars(sa.select(Survey).order_by(Survey.created_at.desc(), Survey.id.desc())).all()
    if slug:
        chosen = next((s for s in found if s.slug == slug), None)
    else:
        now = utcnow()
        chosen = next((s for s in found if s.is_open(now)), found[0] if found else None)
    if chosen is None:
        abort(404)
    return chosen


@bp.route("/admin/print/shifts/<int:shift_id>/attendance", methods=["GET", "POST"])
@staff_required
def attendance(shift_id: int):
    shift = _shift(shift_id)
    can_manage = access.can_manage_association(current_user, shift.task.association_id)
    form = CsrfForm()
    if request.method == "POST":
        if not can_manage:
            abort(403)
        form.validate_on_submit() or abort(400)
        came = {int(v) for v in request.form.getlist("came") if v.isdigit()}
        held = rosters.record_attendance(shift, came, current_user)
        db.session.commit()
        flash(_("Närvaron är sparad: %(n)d kom.", n=held.came))
        return redirect(url_for(".attendance", shift_id=shift.id))
    roster = rosters.build_roster(current_user, shift)
    return render_template("printing/attendance.html", shift=shift, roster=roster, form=form,
                           can_manage=can_manage)
