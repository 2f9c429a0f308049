"""Staff pages: log in (with an optional second step for two-factor), the start page, survey overviews
and exports.

Admins see the whole district. Organizers see the same pages scoped on the server to their associations
(`survey.core.access`): rows, summaries and exports only cover members of those associations, and open-link
answers that are not tied to a member stay with the district. Callers only get a start page.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import sqlalchemy as sa
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired

from survey import tabular
from survey.accounts import services as accounts
from survey.core import access, audit, security
from survey.extensions import db, limiter
from survey.models import Member, Role, Submission, SubmissionStatus, Survey, User, utcnow
from survey.overview import reports

bp = Blueprint("admin", __name__, url_prefix="/admin")

# Per client address, on the POSTs only: enough for a person who mistypes, too few for guessing.
LOGIN_LIMITS = "10 per minute;50 per hour"
# Per account, failures only: spreading guesses over many addresses does not help either. Deliberately
# generous, so that someone else's guessing can slow an account down but not lock its owner out for long.
ACCOUNT_LIMITS = "20 per hour"
PENDING_KEY = "kk_pending_2fa"  # who has given the right password but not yet the code
PENDING_SECONDS = 300
EXPORT_TYPES = {"csv": "text/csv",
                "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def _configured(key: str, default: str) -> Callable[[], str]:
    """A limit that app.config can override (LOGIN_RATE_LIMIT, LOGIN_ACCOUNT_RATE_LIMIT)."""
    return lambda: current_app.config.get(key, default)


_per_address = _configured("LOGIN_RATE_LIMIT", LOGIN_LIMITS)
_per_account = _configured("LOGIN_ACCOUNT_RATE_LIMIT", ACCOUNT_LIMITS)


class LoginForm(FlaskForm):
    email = EmailField(validators=[DataRequired()])
    password = PasswordField(validators=[DataRequired()])


class TotpForm(FlaskForm):
    code = StringField(validators=[DataRequired()])


class ExportForm(FlaskForm):
    """Only a CSRF token: exports are POSTs so personal data cannot be pulled by a cross-site link."""


def _failed(response: Response) -> bool:
    return response.status_code == 200  # a failed attempt shows the form again; success redirects


def _account_key() -> str:
    return "account:" + accounts.normalize_email(request.form.get("email", ""))


def _pending_key() -> str:
    return f"pending:{(session.get(PENDING_KEY) or {}).get('uid', '')}"


def _finish_login(user: User, target: str):
    security.start_session(user)
    accounts.record_login(user)
    db.session.commit()
    if access.admin_totp_deadline(user) is not None:
        # An admin without two-factor login sees first that it is required, and by when.
        return redirect(url_for("accounts.totp_setup", next=target))
    return redirect(target)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_per_address, methods=["POST"])
@limiter.limit(_per_account, key_func=_account_key, methods=["POST"], deduct_when=_failed)
def login():
    if current_user.is_authenticated:
        return redirect(security.safe_next(request.args.get("next")))
    form = LoginForm()
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data, form.password.data)
        if user is not None:
            target = security.safe_next(request.args.get("next"))
            if user.totp_secret:
                # The password alone is not a login yet: remember who is half-way, briefly.
                session[PENDING_KEY] = {"uid": user.id, "until": int(time.time()) + PENDING_SECONDS,
                                        "stamp": security.session_stamp(user), "next": target}
                return redirect(url_for(".login_totp"))
            return _finish_login(user, target)
        flash(_("Fel e-postadress eller lösenord."), "error")
    return render_template("accounts/login.html", form=form)


def _pending_user() -> tuple[User, str] | None:
    pending = session.get(PENDING_KEY)
    if not isinstance(pending, dict) or pending.get("until", 0) < time.time():
        return None
    user = db.session.get(User, pending.get("uid"))
    if user is None or not user.active or not user.totp_secret:
        return None
    if pending.get("stamp") != security.session_stamp(user):  # the password or 2FA changed meanwhile
        return None
    return user, pending.get("next") or url_for("today.index")


@bp.route("/login/totp", methods=["GET", "POST"])
@limiter.limit(_per_address, methods=["POST"])
@limiter.limit(_per_account, key_func=_pending_key, methods=["POST"], deduct_when=_failed)
def login_totp():
    if current_user.is_authenticated:
        return redirect(url_for("today.index"))
    found = _pending_user()
    if found is None:
        session.pop(PENDING_KEY, None)
        flash(_("Logga in med e-post och lösenord först."), "error")
        return redirect(url_for(".login"))
    user, target = found
    form = TotpForm()
    if form.validate_on_submit():
        if accounts.use_totp(user, form.code.data):
            db.session.commit()  # the step is spent even if what follows fails
            return _finish_login(user, target)
        flash(_("Koden stämmer inte. Skriv de sex siffrorna som appen visar just nu."), "error")
    return render_template("accounts/login_totp.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    security.end_session()
    flash(_("Du är utloggad."))
    return redirect(url_for(".login"))


@bp.get("/")
@login_required
def index():
    if current_user.role is Role.CALLER:
        return redirect(url_for("calllists.mine"))  # a caller's start page: their call lists
    surveys = db.session.scalars(sa.select(Survey).order_by(Survey.created_at.desc())).all()
    query = (sa.select(Submission.survey_id, sa.func.count())
             .where(Submission.status == SubmissionStatus.SUBMITTED).group_by(Submission.survey_id))
    allowed = access.association_ids(current_user)
    if allowed is not None:
        query = access.scope_members(query.join(Member, Submission.member_id == Member.id), current_user)
    counts = dict(db.session.execute(query).all())
    return render_template("admin/index.html", surveys=surveys, counts=counts, now=utcnow())


def _survey(slug: str) -> Survey:
    survey = db.session.scalar(sa.select(Survey).where(Survey.slug == slug))
    if survey is None:
        abort(404)
    return survey


@bp.get("/surveys/<slug>")
@access.staff_required
def survey(slug: str):
    s = _survey(slug)
    allowed = access.association_ids(current_user)
    rows = reports.responses_per_association(s, association_ids=allowed)
    # Open-link sheets not tied to a member belong to no association: only the district sees them.
    unlinked = reports.unlinked_counts(s) if allowed is None else {}
    summaries = reports.question_summaries(s, association_ids=allowed)
    return render_template("overview/survey.html", survey=s, rows=rows, total=reports.district_total(rows),
                           unlinked=unlinked, summaries=summaries, export_form=ExportForm(),
                           open_url=url_for("respond.open_link", slug=s.slug, _external=True))


@bp.post("/surveys/<slug>/export.<fmt>")
@access.staff_required
def export(slug: str, fmt: str):
    if fmt not in EXPORT_TYPES:
        abort(404)
    s = _survey(slug)
    allowed = access.association_ids(current_user)
    frame = reports.submissions_frame(s, association_ids=allowed)
    scope = {} if allowed is None else {"associations": sorted(allowed)}
    audit.record(current_user, "export", f"survey:{slug}", rows=len(frame), format=fmt,
                 association_id=next(iter(allowed)) if allowed and len(allowed) == 1 else None, **scope)
    data = tabular.export_bytes(frame, fmt)
    db.session.commit()
    filename = f"{s.slug}-svar-{utcnow():%Y%m%d}.{fmt}"
    return Response(data, mimetype=EXPORT_TYPES[fmt],
                    headers={"Content-Disposition": f"attachment; filename={filename}"})
