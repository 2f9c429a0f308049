"""Matching members to shifts: run, review reasons, pin or forbid, publish, replacements.

Scope is an association (organizers: only their own) or the whole district (admins). What the pages show
is worked out in `outreach.match.page`; these views read the request, call a service, commit, render.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf import FlaskForm

from outreach.asks import sms as ask_lists
from outreach.match import jobs as match_jobs
from outreach.match import networks, offers, preview, problem, weeks
from outreach.match import page as pages
from outreach.match import services as assign
from survey import tabular
from survey.core import access, audit, jobs, outbox
from survey.core.access import admin_required, association_ids, can_see_association, staff_required
from survey.extensions import db
from survey.jobs import views as job_pages
from survey.models import (
    Member,
    Organisation,
    OrganisationKind,
    RuleKind,
    Shift,
    utcnow,
)

bp = Blueprint("match", __name__, url_prefix="/admin/match")


class CsrfForm(FlaskForm):
    """Only a CSRF token: the buttons carry their values."""


def _scope() -> Organisation | None:
    """The association asked for; organizers default to their first one and never get the district."""
    raw = request.values.get("association", "")
    allowed = association_ids(current_user)
    if not raw.isdigit():
        if allowed is None:
            return None
        mine = access.visible_associations(current_user)
        if not mine:
            abort(403)
        return mine[0]
    org = db.session.get(Organisation, int(raw))
    if (
        org is None
        or org.kind is not OrganisationKind.ASSOCIATION
        or not can_see_association(current_user, org.id)
    ):
        abort(404)
    return org


def _shift(shift_id: int, manage: bool = True) -> Shift:
    shift = db.session.get(Shift, shift_id)
    if shift is None or not access.can_see_task(current_user, shift.task):
        abort(404)
    if manage and not access.can_manage_association(current_user, shift.task.association_id):
        abort(403)  # a district-wide shift: organizers see it but may not change it
    return shift


def _back(association: Organisation | None):
    """Back to the page the organizer came from: same scope, same week."""
    week = request.values.get("week", "")
    scope = association.id if association else ""
    return redirect(url_for("match.index", association=scope, week=week or None))


@bp.get("")
@staff_required
def index():
    association = _scope()
    page = pages.match_page(current_user, association, request.args.get("week", ""))
    running = match_jobs.running_district_run() if association is None and jobs.jobs_enabled() else None
    return render_template("match/index.html", page=page, form=CsrfForm(), running=running)


@bp.post("/run")
@staff_required
def run():
    association = _scope()
    CsrfForm().validate_on_submit() or abort(400)
    if association is None and jobs.jobs_enabled():  # the whole district: minutes, off the request
        return _run_as_job()
    match_run = assign.run(association, current_user, problem.local_now())
    db.session.commit()
    made = (match_run.stats or {}).get("assigned", 0)
    first = weeks.first_proposal(current_user, association)
    if first is None:
        flash(_("Matchningen är klar: %(n)d förslag.", n=made))
        return _back(association)
    # Straight to the proposals: the week the organizer was on may have none of them.
    flash(_("Matchningen är klar: %(n)d förslag. Sidan visar veckan med det första (v. %(week)d).", n=made,
            week=first.start_local.isocalendar().week))
    return redirect(url_for("match.index", association=association.id if association else "",
                            week=first.start_local.date().isoformat(), _anchor=f"shift-{first.id}"))


def _run_as_job():
    """One district run at a time: a second press while one waits or runs opens that one's page."""
    already = match_jobs.running_district_run()
    if already is not None:
        flash(_("En matchning för hela distriktet pågår redan. Här är den."))
        return redirect(url_for("jobs.show", job_id=already.id))
    job = jobs.start(match_jobs.RUN, user=current_user, title=_("Matchning: hela distriktet"),
                     params={"association": None, "page": url_for("match.index"),
                             "time_limit": current_app.config["MATCH_TIME_LIMIT"]})
    db.session.commit()
    first = match_jobs.running_district_run()  # two presses at the same moment: the earlier one wins
    if first is not None and first.id != job.id:
        db.session.delete(job)
        db.session.commit()
        return redirect(url_for("jobs.show", job_id=first.id))
    return job_pages.queued(job)


@bp.post("/rule")
@staff_required
def rule():
    association = _scope()
    CsrfForm().validate_on_submit() or abort(400)
    shift_id, member_id = request.form.get("shift", ""), request.form.get("member", "")
    if not shift_id.isdigit() or not member_id.isdigit():
        abort(400)
    shift = _shift(int(shift_id))
    member = db.session.get(Member, int(member_id)) or abort(404)
    kind = request.form.get("kind", "")
    if kind not in ("pin", "forbid", "clear"):
        abort(400)
    assign.set_rule(shift, member, None if kind == "clear" else RuleKind(kind))
    db.session.commit()
    flash(_("Sparat. Kör matchningen igen för att se resultatet."))
    return _back(association)


@bp.post("/publish")
@staff_required
def publish():
    """First a preview (nothing written, nothing sent); publishing only with `confirm` and the preview's
    fingerprint, so that a re-run in between shows the new proposals instead of publishing them unseen."""
    association = _scope()
    CsrfForm().validate_on_submit() or abort(400)
    shown = preview.publish_preview(current_user, association, request.form.get("week", ""))
    if request.form.get("confirm") != "1" or request.form.get("fingerprint") != shown.fingerprint:
        if request.form.get("confirm") == "1":
            flash(_("Förslagen har ändrats sedan du öppnade förhandsvisningen. Titta igen."), "error")
        return render_template("match/publish.html", page=shown, form=CsrfForm())
    result = assign.publish(association, assign.manageable_shift_ids(current_user, association))
    db.session.commit()  # first: an email must never carry a link that was not stored
    job = None
    if jobs.jobs_enabled() and result.queued:  # every e-mail off the request, with a progress page
        job = jobs.start(match_jobs.KIND, user=current_user, params={"messages": result.queued},
                         title=_("Uppdragserbjudanden: %(where)s",
                                 where=association.name if association else _("hela distriktet")),
                         total=len(result.queued))
        db.session.commit()
        jobs.enqueue(job)
        db.session.refresh(job)
        result.emailed = offers.Emailed(waiting=len(result.queued))
    else:
        result.emailed = _send(result.queued)
    return render_template("match/published.html", job=job,
                           page=pages.published_page(current_user, result, association))


@bp.post("/send")
@staff_required
def send():
    """Task emails that could not be sent at publishing: retry the failed ones, continue the pending."""
    association = _scope()
    CsrfForm().validate_on_submit() or abort(400)
    scope = assign.manageable_shift_ids(current_user, association)
    ids = offers.pending(association, scope, retry_failed=True)
    db.session.commit()
    emailed = _send(ids)
    if emailed.error:
        flash(_("E-postfel: %(error)s", error=emailed.error), "error")
    flash(ngettext("E-post skickad till %(num)d medlem.", "E-post skickad till %(num)d medlemmar.",
                   emailed.mailed))
    return _back(association)


def _send(ids: list[int]) -> offers.Emailed:
    """Send from the request (there is no background worker), a batch at most; the rest waits."""
    return offers.send_now(ids, limit=outbox.REQUEST_BATCH, seconds=outbox.REQUEST_SECONDS)


@bp.post("/sms.csv")
@staff_required
def sms_csv():
    """Unanswered asks with fresh links, for an SMS mail-merge (see outreach.asks.sms)."""
    import pandas as pd  # here, not at the top: the app and its CLI start without pandas

    association = _scope()
    CsrfForm().validate_on_submit() or abort(400)
    rows = ask_lists.unanswered_rows(association, assign.manageable_shift_ids(current_user, association),
                                     viewer=current_user)
    audit.record(current_user, "export", "task-sms-links", rows=len(rows),
                 association_id=association.id if association else None)
    db.session.commit()  # the links in the file must be the valid ones
    frame = pd.DataFrame(rows, columns=ask_lists.COLUMNS)
    name = f"uppdrag-sms-{association.slug if association else 'distriktet'}-{utcnow():%Y%m%d}.csv"
    return Response(tabular.export_bytes(frame, "csv"), mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename={name}"})


@bp.get("/shifts/<int:shift_id>/replacements")
@staff_required
def replacements(shift_id: int):
    page = pages.replacements_page(current_user, _shift(shift_id, manage=False))
    return render_template("match/replacements.html", page=page, form=CsrfForm())


@bp.post("/shifts/<int:shift_id>/offer")
@staff_required
def offer(shift_id: int):
    shift = _shift(shift_id)
    CsrfForm().validate_on_submit() or abort(400)
    raw = request.form.get("member", "")
    member = assign.replacement(shift, int(raw), problem.local_now()) if raw.isdigit() else None
    if member is None:
        flash(_("Den medlemmen kan inte ta passet just nu."), "error")
        return redirect(url_for("match.replacements", shift_id=shift.id))
    result = assign.offer(shift, member)
    db.session.commit()
    result.emailed = _send(result.queued)
    return render_template("match/published.html",
                           page=pages.published_page(current_user, result, shift.task.association))


@bp.post("/members/<int:member_id>/association")
@admin_required
def adopt(member_id: int):
    CsrfForm().validate_on_submit() or abort(400)
    member = db.session.get(Member, member_id) or abort(404)
    raw = request.form.get("association", "")
    org = db.session.get(Organisation, int(raw)) if raw.isdigit() else None
    if org is None or org.kind is not OrganisationKind.ASSOCIATION:
        abort(400)
    networks.adopt(member, org)
    db.session.commit()
    flash(_("%(name)s hör nu till %(org)s.", name=member.full_name, org=org.name))
    return redirect(url_for("match.index"))
