"""Administrators' pages: log in, surveys, responses per association, summaries, exports.

Minimal on purpose: roles and per-association scoping come with the registry issue. Until then every
page here requires an admin account.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired

from survey.access import admin_required
from survey.extensions import db
from survey.models import Submission, Survey, User, utcnow
from survey.services import reports

bp = Blueprint("admin", __name__, url_prefix="/admin")


class LoginForm(FlaskForm):
    email = EmailField(validators=[DataRequired()])
    password = PasswordField(validators=[DataRequired()])


class ExportForm(FlaskForm):
    """Only a CSRF token: exports are POSTs so personal data cannot be pulled by a cross-site link."""


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        user = db.session.scalar(sa.select(User).where(User.email == email))
        if user is not None and user.active and user.check_password(form.password.data):
            login_user(user)
            user.last_login_at = utcnow()
            db.session.commit()
            target = request.args.get("next", "")
            # Only same-site paths: an open redirect would make a convincing phishing link.
            if not target.startswith("/") or target.startswith("//") or urlsplit(target).netloc:
                target = url_for(".index")
            return redirect(target)
        flash(_("Fel e-postadress eller lösenord."), "error")
    return render_template("admin/login.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    logout_user()
    return redirect(url_for(".login"))


@bp.get("/")
@admin_required
def index():
    surveys = db.session.scalars(sa.select(Survey).order_by(Survey.created_at.desc())).all()
    counts = dict(db.session.execute(
        sa.select(Submission.survey_id, sa.func.count()).where(Submission.status == "submitted")
        .group_by(Submission.survey_id)).all())
    return render_template("admin/index.html", surveys=surveys, counts=counts, now=utcnow())


def _survey(slug: str) -> Survey:
    survey = db.session.scalar(sa.select(Survey).where(Survey.slug == slug))
    if survey is None:
        abort(404)
    return survey


@bp.get("/surveys/<slug>")
@admin_required
def survey(slug: str):
    s = _survey(slug)
    rows = reports.responses_per_association(s)
    return render_template("admin/survey.html", survey=s, rows=rows, total=reports.district_total(rows),
                           unlinked=reports.unlinked_counts(s), summaries=reports.question_summaries(s),
                           export_form=ExportForm(), open_url=url_for("respond.open_link", slug=s.slug,
                                                                      _external=True))


@bp.post("/surveys/<slug>/export.<fmt>")
@admin_required
def export(slug: str, fmt: str):
    if fmt not in ("csv", "xlsx"):
        abort(404)
    s = _survey(slug)
    data = reports.export_bytes(reports.submissions_frame(s), fmt)
    mimetype = "text/csv" if fmt == "csv" else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    filename = f"{s.slug}-svar-{utcnow():%Y%m%d}.{fmt}"
    return Response(data, mimetype=mimetype, headers={"Content-Disposition": f"attachment; filename={filename}"})
