"""Organizers decide the contact details members corrected in the survey (see `survey.registry.corrections`).

One page lists what waits, oldest first, each with the registry's value beside the member's; the member page
shows the same for one member. Both post here; another association's proposal answers 404.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from survey.core import audit
from survey.core.access import can_see_association, staff_required
from survey.core.security import safe_next
from survey.extensions import db
from survey.models import RegistryCorrection, utcnow
from survey.registry import corrections
from survey.registry.corrections import field_label

bp = Blueprint("corrections", __name__, url_prefix="/admin/members/corrections")


def _correction(correction_id: int) -> RegistryCorrection:
    found = db.session.get(RegistryCorrection, correction_id)
    if found is None or not can_see_association(current_user, found.member.association_id):
        abort(404)
    return found


@bp.get("")
@staff_required
def index():
    waiting = corrections.pending(current_user)
    audit.record(current_user, "view", "members:corrections", rows=len(waiting))
    db.session.commit()
    return render_template("registry/corrections.html", waiting=waiting, form=FlaskForm(),
                           field_label=field_label)


@bp.post("/<int:correction_id>")
@staff_required
def decide(correction_id: int):
    """Accept or reject; a second tap (or a colleague's) changes nothing and says so."""
    if not FlaskForm().validate_on_submit():
        abort(400)
    correction = _correction(correction_id)
    action = request.form.get("action")
    if action not in ("accept", "reject"):
        abort(400)
    verb = corrections.accept if action == "accept" else corrections.reject
    done = verb(correction, current_user, utcnow())
    db.session.commit()
    name, what = correction.member.full_name, field_label(correction.field)
    if not done:
        flash(_("Ändringen var redan avgjord."), "notice")
    elif action == "accept":
        flash(_("%(what)s för %(name)s är ändrat i registret.", what=what, name=name), "notice")
    else:
        flash(_("%(what)s för %(name)s behålls som i registret.", what=what, name=name), "notice")
    return redirect(safe_next(request.form.get("next")) if request.form.get("next")
                    else url_for(".index"))
