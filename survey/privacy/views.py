"""Members' rights: data export and erasure; the audit log.

Exports are open to admins and to organizers for their own associations' members, so a local association
can answer a member's request itself. Erasure cannot be undone, so it is for district admins only and
needs the member number typed in. The audit log names staff and what they looked at: admins only.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta
from typing import Any

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import DateField, StringField
from wtforms.validators import DataRequired, Optional

from survey.core import audit
from survey.core.access import admin_required, member_or_404, staff_required
from survey.extensions import db
from survey.models import utcnow
from survey.privacy import auditlog
from survey.privacy import services as privacy
from survey.spec.services import STOCKHOLM

bp = Blueprint("privacy", __name__, url_prefix="/admin/privacy")
AUDIT_PAGE_SIZE = 50


class EraseForm(FlaskForm):
    member_number = StringField(validators=[DataRequired()])


class AuditFilterForm(FlaskForm):
    """Filters from the query string (GET), so a filtered view can be bookmarked and paged."""

    class Meta:
        csrf = False

    user = StringField()
    action = StringField()
    date_from = DateField(validators=[Optional()])
    date_to = DateField(validators=[Optional()])


@bp.post("/members/<int:member_id>/export")
@staff_required
def export_member(member_id: int):
    member = member_or_404(current_user, member_id)
    data = privacy.export_member(member, current_user, utcnow())
    db.session.commit()
    body = json.dumps(data, ensure_ascii=False, indent=2)
    filename = "medlem-" + (re.sub(r"[^A-Za-z0-9_-]", "", member.member_number) or str(member.id)) + ".json"
    return Response(body, mimetype="application/json",
                    headers={"Content-Disposition": f"attachment; filename={filename}"})


@bp.route("/members/<int:member_id>/erase", methods=["GET", "POST"])
@admin_required
def erase_member(member_id: int):
    member = member_or_404(current_user, member_id)
    form = EraseForm()
    if form.validate_on_submit():
        if form.member_number.data.strip() == member.member_number:
            counts = privacy.erase_member(member, current_user)
            db.session.commit()
            privacy.clear_freed_space()
            kept = counts.get("submissions_anonymized", 0)
            flash(ngettext("Medlemmen är raderad. %(num)d inskickat svar finns kvar utan namn, för "
                           "statistiken.",
                           "Medlemmen är raderad. %(num)d inskickade svar finns kvar utan namn, för "
                           "statistiken.", kept), "info")
            return redirect(url_for("members.index"))
        form.member_number.errors.append(_("Medlemsnumret stämmer inte. Ingenting har raderats."))
    status = 422 if form.errors else 200
    return render_template("privacy/erase.html", member=member, form=form), status


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=STOCKHOLM)


def _audit_query() -> tuple[AuditFilterForm, dict[str, str], Any]:
    """The filter form, the filters to carry into links, and the matching query. Bad dates are ignored."""
    form = AuditFilterForm(formdata=request.args)
    form.validate()
    since = _local_midnight(form.date_from.data) if form.date_from.data else None
    until = _local_midnight(form.date_to.data + timedelta(days=1)) if form.date_to.data else None
    filters = {k: v for k, v in request.args.items() if k in form.data and v}
    query = auditlog.audit_events(form.user.data or None, form.action.data or None, since, until)
    return form, filters, query


@bp.get("/audit")
@admin_required
def audit_log():
    form, filters, query = _audit_query()
    page = db.paginate(query, per_page=AUDIT_PAGE_SIZE, max_per_page=AUDIT_PAGE_SIZE, error_out=False)
    emails, actions = auditlog.audit_choices()
    return render_template("privacy/audit.html", form=form, filters=filters, page=page, emails=emails,
                           actions=actions, names=auditlog.association_names())


@bp.post("/audit.csv")
@admin_required
def audit_csv():
    _form, filters, query = _audit_query()
    events = db.session.scalars(query).all()
    data = auditlog.audit_csv(events)
    audit.record(current_user, "export", "audit_log", rows=len(events), filters=filters)
    db.session.commit()
    disposition = f"attachment; filename=granskningslogg-{utcnow():%Y%m%d}.csv"
    return Response(data, mimetype="text/csv", headers={"Content-Disposition": disposition})
