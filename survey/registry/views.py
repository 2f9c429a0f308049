"""The member registry for organizers and admins: lists, import, duplicates.

Every query goes through `survey.core.access`: organizers see their associations only, and a member of
another association answers 404. Looking at or exporting member data is written to the audit trail.

The registry reader and the duplicate finder load pandas, so the views that use them import them: the app
(and every `kraftkartan` command, `--help` too) starts without it.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from werkzeug.exceptions import RequestEntityTooLarge
from wtforms import BooleanField, IntegerField
from wtforms.validators import DataRequired

from survey.core import access, audit, job_files, jobs
from survey.core.access import (
    admin_required,
    member_or_404,
    staff_required,
)
from survey.core.contacts import format_phone
from survey.extensions import csrf, db
from survey.jobs import views as job_pages
from survey.models import (
    MemberImport,
    utcnow,
)
from survey.registry import jobs as import_jobs
from survey.tabular import shorten

bp = Blueprint("members", __name__, url_prefix="/admin/members")
PER_PAGE = 50
UPLOAD_LIMIT = 20 * 1024 * 1024  # a 100,000-member export is about 12 MB as CSV
REPORT_ROWS_SHOWN = 500
DUPLICATE_GROUPS_SHOWN = 200


class ImportForm(FlaskForm):
    file = FileField(validators=[FileRequired(), FileAllowed(["csv", "txt", "tsv", "xlsx"])])
    dry_run = BooleanField()
    strict = BooleanField()
    full = BooleanField()


class MergeForm(FlaskForm):
    keep = IntegerField(validators=[DataRequired()])


@bp.app_template_global()
def phone_national(e164: str | None) -> str:
    return format_phone(e164)


@bp.get("")
@staff_required
def index():
    from survey.registry import listing

    search, page = listing.run(request.args, current_user, utcnow())
    # The search text may be a name: only the fact that there was one goes into the trail.
    audit.record(
        current_user,
        "view",
        f"members:{search.association or 'all'}",
        rows=len(page.items),
        association_id=search.association,
        page=page.page,
        status=search.status,
        searched=bool(search.q),
        filters=[spec["kind"] for spec in search.specs],
    )
    db.session.commit()
    return render_template(
        "registry/list.html",
        page=page,
        search=search,
        filters=search.args(),
        associations=access.visible_associations(current_user),
        is_admin=current_user.is_admin,
    )


@bp.get("/<int:member_id>")
@staff_required
def detail(member_id: int):
    from outreach.calllists.services import OUTCOMES  # outreach plugs into survey: imported on use
    from outreach.tasks.vocabulary import status_label
    from survey.registry import corrections, member_page

    member = member_or_404(current_user, member_id)
    page = member_page.load(member)
    audit.record(current_user, "view", f"member:{member.id}", rows=1, association_id=member.association_id,
                 answers=any(s.submission is not None for s in page.surveys))
    db.session.commit()
    linked = {a.shift.task_id for a in page.asks if access.can_see_task(current_user, a.shift.task)}
    return render_template("registry/detail.html", member=member, page=page, outcomes=OUTCOMES,
                           status_label=status_label, linked_tasks=linked,
                           corrections=corrections.pending(current_user, member), form=FlaskForm(),
                           field_label=corrections.field_label)


@bp.route("/import", methods=["GET", "POST"])
@csrf.exempt  # the form checks its own CSRF token, after the upload's size limit is in place (below)
@admin_required
def import_page():
    from survey.registry.read import RegistryFileError
    from survey.registry.services import import_registry

    # The app-wide limit suits survey pages; a registry export is bigger. The global CSRF check would read
    # the body under the small limit before this line could run, hence the exemption above.
    request.max_content_length = UPLOAD_LIMIT
    result, status = None, 200
    try:
        form = ImportForm()
        submitted = form.validate_on_submit()
    except RequestEntityTooLarge:
        form, submitted, status = ImportForm(formdata=None), False, 413
        flash(_("Filen är för stor (högst %(mb)d MB).", mb=UPLOAD_LIMIT // (1024 * 1024)), "error")
    if submitted:
        upload = form.file.data
        # Only the name: some browsers send the whole path of the file on the organizer's computer.
        filename = shorten((upload.filename or "").replace("\\", "/").rsplit("/", 1)[-1] or "upload", 200)
        if jobs.jobs_enabled():  # a big file: saved in the instance folder, imported by the worker
            return _import_job(upload.read(), filename, form)
        try:
            result = import_registry(
                upload.read(),
                filename,
                user=current_user,
                dry_run=form.dry_run.data,
                strict=form.strict.data,
                full=form.full.data,
            )
        except RegistryFileError as exc:
            db.session.rollback()
            flash(str(exc), "error")
            status = 400
        else:
            if result.dry_run:
                db.session.rollback()
            else:
                db.session.commit()
    imports = db.session.scalars(sa.select(MemberImport).order_by(MemberImport.at.desc()).limit(20)).all()
    return render_template(
        "registry/import.html",
        form=form,
        result=result,
        imports=imports,
        report_form=FlaskForm(),
        shown=REPORT_ROWS_SHOWN,
    ), 400 if form.errors else status


def _import_job(data: bytes, filename: str, form: ImportForm):
    name = job_files.write(data, ".upload")
    job = jobs.start(import_jobs.KIND, user=current_user, title=_("Import: %(file)s", file=filename),
                     params=import_jobs.params(name, filename, dry_run=form.dry_run.data,
                                               strict=form.strict.data, full=form.full.data))
    return job_pages.queued(job)


@bp.post("/imports/<int:import_id>/report.csv")
@admin_required
def import_report(import_id: int):
    """A POST, like the survey exports, so that member data cannot be pulled by a cross-site link."""
    if not FlaskForm().validate_on_submit():
        abort(400)
    record = db.session.get(MemberImport, import_id)
    if record is None:
        abort(404)
    audit.record(current_user, "export", f"member_import:{record.id}", rows=record.problems)
    db.session.commit()
    return Response(
        record.report_csv.encode("utf-8-sig"),
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename=medlemsimport-{record.id}-rapport.csv"},
    )


@bp.get("/duplicates")
@staff_required
def duplicates_page():
    from survey.registry import duplicates

    groups = duplicates.find_duplicates(current_user)
    shown = groups[:DUPLICATE_GROUPS_SHOWN]
    audit.record(current_user, "view", "members:duplicates", rows=sum(len(g.members) for g in shown))
    db.session.commit()
    return render_template("registry/duplicates.html", groups=shown, total=len(groups), form=MergeForm())


@bp.post("/duplicates/merge")
@staff_required
def merge():
    from survey.registry import duplicates

    form = MergeForm()
    if not form.validate_on_submit():
        abort(400)
    keep = member_or_404(current_user, form.keep.data)
    others = [
        member_or_404(current_user, i) for i in set(request.form.getlist("members", type=int)) - {keep.id}
    ]
    if not others:
        abort(400)
    numbers = [m.member_number for m in others]
    for other in others:
        duplicates.merge(keep, other, current_user)
    db.session.commit()
    flash(
        _("%(others)s slogs ihop med %(keep)s.", others=", ".join(numbers), keep=keep.member_number), "notice"
    )
    return redirect(url_for(".duplicates_page"))
