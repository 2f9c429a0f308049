"""Survey invitations by email, reminders, unsubscribe, SMS lists and QR codes.

Staff pages live under /admin/invitations; the members' unsubscribe link is /u/<token>. Organizers plan,
send and list for their own associations only (`survey.core.access`, inside the service queries).

With the job queue on (KRAFTKARTAN_JOBS, `kraftkartan worker`) a round runs as a job whose page shows how
far it got; without it, a round is sent from the request in batches (BATCH messages or BATCH_SECONDS,
whichever comes first) and the page offers "continue" while messages are pending. Either way each
message is committed as sent right after the SMTP server accepted it (the outbox), so stopping anywhere
is safe and nobody gets the same message twice.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

import segno
import sqlalchemy as sa
from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectChoice

from survey import tabular
from survey.core import access, audit, jobs, mailer, outbox
from survey.core.contacts import format_phone
from survey.extensions import csrf, db
from survey.invitations import jobs as invitation_jobs
from survey.invitations import services as invitations
from survey.invitations.forms import ListForm, PlanForm, RoundForm
from survey.jobs import views as job_pages
from survey.models import Organisation, Survey, User, utcnow
from survey.spec import services as surveys
from survey.web import translate

if TYPE_CHECKING:  # pandas loads in the two CSV views, not when the app starts
    import pandas as pd

bp = Blueprint("invitations", __name__)
PREFIX = "/admin/invitations"
BATCH = outbox.REQUEST_BATCH
BATCH_SECONDS = outbox.REQUEST_SECONDS
NOT_CONFIGURED = _l("E-post är inte inställd på servern (KRAFTKARTAN_SMTP_HOST och KRAFTKARTAN_MAIL_FROM).")


def _me() -> User:
    return current_user._get_current_object()


def _association_or_404(slug: str | None) -> Organisation | None:
    """"" means everything the user may see; another association's slug answers 404 like an unknown one."""
    if not slug:
        return None
    org = db.session.scalar(sa.select(Organisation).where(Organisation.slug == slug))
    if org is None:
        abort(404)
    access.require_association(_me(), org.id)
    return org


def _survey_or_404(slug: str | None) -> Survey:
    survey = surveys.by_slug(slug) if slug else None
    if survey is None:
        abort(404)
    return survey


def _surveys() -> list[Survey]:
    return list(db.session.scalars(sa.select(Survey).order_by(Survey.created_at.desc(), Survey.id.desc())))


def _with_choices(form: PlanForm | ListForm) -> PlanForm | ListForm:
    form.survey.choices = [SelectChoice(s.slug, translate(s.title) or s.slug) for s in _surveys()]
    everyone = _("Hela distriktet") if access.association_ids(_me()) is None else _("Alla mina föreningar")
    form.association.choices = [SelectChoice("", everyone),
                                *(SelectChoice(o.slug, o.name) for o in access.visible_associations(_me()))]
    if not form.is_submitted() and (default := invitations.default_survey()) is not None:
        form.survey.data = default.slug
    return form


def _flash_errors(form: FlaskForm) -> None:
    for errors in form.errors.values():
        for error in errors:
            flash(error, "error")


@bp.get(PREFIX)
@access.staff_required
def index():
    return render_template("invitations/index.html", plan_form=_with_choices(PlanForm()),
                           list_form=_with_choices(ListForm()), rounds=invitations.rounds(user=_me()),
                           associations=access.visible_associations(_me()), mail_ready=mailer.is_configured(),
                           surveys=_surveys(), batch=BATCH)


@bp.post(f"{PREFIX}/plan")
@access.staff_required
def plan():
    form = _with_choices(PlanForm())
    if not form.validate():
        _flash_errors(form)
        return redirect(url_for(".index"))
    if not mailer.is_configured():
        flash(NOT_CONFIGURED, "error")
        return redirect(url_for(".index"))
    survey, org = _survey_or_404(form.survey.data), _association_or_404(form.association.data)
    kind = form.kind.data
    round_name = (form.round.data or "").strip() or invitations.default_round(kind)
    planned = invitations.plan(survey, kind, round_name, user=_me(), association=org)
    audit.record(_me(), "send", f"invitations:{survey.slug}", rows=planned,
                 association_id=org.id if org else None, kind=kind, round=round_name)
    db.session.commit()
    flash(ngettext("%(num)d ny mottagare i omgången %(round)s.",
                   "%(num)d nya mottagare i omgången %(round)s.", planned, round=round_name))
    _send_batch(survey, kind, round_name, org)
    return redirect(url_for(".index"))


@bp.post(f"{PREFIX}/send")
@access.staff_required
def send():
    form = RoundForm()
    if not form.validate():
        abort(400)
    survey, org = _survey_or_404(form.survey.data), _association_or_404(form.association.data)
    if jobs.jobs_enabled():  # the whole round off the request, with a page that shows how far it got
        job = jobs.start(invitation_jobs.KIND, user=_me(),
                         params=invitation_jobs.params(survey, form.kind.data, form.round.data, org),
                         title=_("Utskick: %(round)s, %(where)s", round=form.round.data,
                                 where=org.name if org else _("hela distriktet")))
        return job_pages.queued(job)
    _send_batch(survey, form.kind.data, form.round.data, org)
    return redirect(url_for(".index"))


@bp.post(f"{PREFIX}/retry")
@access.staff_required
def retry():
    form = RoundForm()
    if not form.validate():
        abort(400)
    survey, org = _survey_or_404(form.survey.data), _association_or_404(form.association.data)
    n = invitations.retry_failed(survey, form.kind.data, form.round.data, user=_me(), association=org)
    db.session.commit()
    flash(ngettext("%(num)d misslyckat meddelande väntar nu på att skickas igen.",
                   "%(num)d misslyckade meddelanden väntar nu på att skickas igen.", n))
    _send_batch(survey, form.kind.data, form.round.data, org)
    return redirect(url_for(".index"))


def _send_batch(survey: Survey, kind: str, round_name: str, org: Organisation | None) -> None:
    """Send up to BATCH pending messages of the round, committing after each, and flash what happened."""
    base_url = current_app.config["PUBLIC_BASE_URL"]
    try:
        sent = outbox.send(lambda smtp: invitations.deliver(survey, kind, round_name, smtp, user=_me(),
                                                           association=org, base_url=base_url, limit=BATCH),
                           seconds=BATCH_SECONDS)
    except mailer.NotConfigured:
        flash(NOT_CONFIGURED, "error")
        return
    if sent.unavailable:
        flash(_("E-postservern gick inte att nå: %(error)s. Inget mer skickades; försök igen senare.",
                error=sent.unavailable), "error")
    flash(sent.summary())


# -- lists ---------------------------------------------------------------------------------------------

def _csv_response(frame: pd.DataFrame, filename: str) -> Response:
    return Response(tabular.export_bytes(frame, "csv"), mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename={filename}"})


@bp.post(f"{PREFIX}/sms.csv")
@access.staff_required
def sms_csv():
    import pandas as pd

    form = _with_choices(ListForm())
    if not form.validate():
        abort(400)
    survey, org = _survey_or_404(form.survey.data), _association_or_404(form.association.data)
    rows = invitations.sms_rows(survey, base_url=current_app.config["PUBLIC_BASE_URL"], user=_me(),
                                association=org, only_not_answered=form.only_not_answered.data)
    audit.record(_me(), "export", f"sms-links:{survey.slug}", rows=len(rows),
                 association_id=org.id if org else None, only_not_answered=form.only_not_answered.data)
    db.session.commit()  # the links in the file must exist
    frame = pd.DataFrame(rows, columns=["member_number", "first_name", "phone", "url"])
    return _csv_response(frame, f"{survey.slug}-sms-{org.slug if org else 'alla'}-{utcnow():%Y%m%d}.csv")


def _not_answered(survey_slug: str | None, association_slug: str | None):
    org = _association_or_404(association_slug)
    # Without a choice: the newest open survey, else the newest one.
    survey = _survey_or_404(survey_slug) if survey_slug else (invitations.default_survey()
                                                               or next(iter(_surveys()), None))
    if org is None or survey is None:
        abort(404)
    return survey, org, invitations.not_answered(survey, user=_me(), association=org)


@bp.get(f"{PREFIX}/not-answered")
@access.staff_required
def not_answered():
    if not request.args.get("association"):
        return render_template("invitations/choose_association.html",
                               associations=access.visible_associations(_me()))
    survey, org, members = _not_answered(request.args.get("survey"), request.args.get("association"))
    audit.record(_me(), "view", f"not-answered:{survey.slug}", rows=len(members), association_id=org.id)
    db.session.commit()
    return render_template("invitations/not_answered.html", survey=survey, org=org, members=members,
                           format_phone=format_phone, surveys=_surveys())


@bp.post(f"{PREFIX}/not-answered.csv")
@access.staff_required
def not_answered_csv():
    import pandas as pd

    survey, org, members = _not_answered(request.form.get("survey"), request.form.get("association"))
    audit.record(_me(), "export", f"not-answered:{survey.slug}", rows=len(members), association_id=org.id)
    db.session.commit()
    dnc = _("kontakta inte")
    columns = ["member_number", "first_name", "last_name", "phone", "email", "do_not_contact"]
    frame = pd.DataFrame([(m.member_number, m.first_name, m.last_name, format_phone(m.phone), m.email or "",
                           dnc if m.do_not_contact else "") for m in members], columns=columns)
    return _csv_response(frame, f"{survey.slug}-ej-svarat-{org.slug}-{utcnow():%Y%m%d}.csv")


# -- QR codes for the open link ------------------------------------------------------------------------

def _qr(slug: str) -> tuple[Survey, str, segno.QRCode]:
    survey = _survey_or_404(slug)
    url = invitations.open_url(current_app.config["PUBLIC_BASE_URL"], survey)
    return survey, url, segno.make(url, error="m", micro=False)


@bp.get(f"{PREFIX}/qr/<slug>")
@access.staff_required
def qr(slug: str):
    survey, url, code = _qr(slug)
    # Inline SVG without a size scales with CSS; segno writes no style attributes, so the CSP holds.
    svg = code.svg_inline(scale=1, omitsize=True, border=4)
    return render_template("invitations/qr.html", survey=survey, url=url, svg=svg)


@bp.get(f"{PREFIX}/qr/<slug>.svg")
@access.staff_required
def qr_svg(slug: str):
    return _qr_file(slug, "svg", "image/svg+xml")


@bp.get(f"{PREFIX}/qr/<slug>.png")
@access.staff_required
def qr_png(slug: str):
    return _qr_file(slug, "png", "image/png")


def _qr_file(slug: str, kind: str, mimetype: str) -> Response:
    survey, _url, code = _qr(slug)
    buffer = io.BytesIO()
    code.save(buffer, kind=kind, scale=20, border=4)
    return Response(buffer.getvalue(), mimetype=mimetype,
                    headers={"Content-Disposition": f"attachment; filename={survey.slug}-qr.{kind}"})


# -- members: unsubscribe ------------------------------------------------------------------------------

@bp.route("/u/<token>", methods=["GET", "POST"])
@csrf.exempt  # mail clients' one-click POST (RFC 8058) carries no CSRF token; the signed token is the proof
def unsubscribe(token: str):
    member = invitations.member_from_token(token)
    if member is None:  # tampered, or erased since
        abort(404)
    if request.method == "POST":  # never on GET: mail scanners open every link in a message
        invitations.unsubscribe(member)
        db.session.commit()
        return render_template("respond/unsubscribe_done.html")
    return render_template("respond/unsubscribe.html", token=token)
