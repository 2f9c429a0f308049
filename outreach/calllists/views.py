"""The caller's pages (/calls): their lists, "next person", the call screen, the survey by phone.

A caller sees a list only when assigned to it (or managing it), and a target only while holding it:
anything else answers 404, so guessing ids tells nothing. Every page works without JavaScript.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from outreach.calllists import caller_accounts, followups, phone_survey, queue, reports, services
from outreach.calllists.forms import CsrfForm, OutcomeForm, PasswordForm, aware
from survey.accounts import services as accounts
from survey.core.contacts import format_phone
from survey.core.lang import lang_code
from survey.extensions import db
from survey.models import Assignment, CallList, CallTarget, Survey, utcnow
from survey.spec.services import STOCKHOLM

bp = Blueprint("calllists", __name__, url_prefix="/calls")


def _list(list_id: int) -> CallList:
    call_list = db.session.get(CallList, list_id)
    if call_list is None or not services.may_call(current_user, call_list):
        abort(404)
    return call_list


def _held(list_id: int, target_id: int) -> tuple[CallList, CallTarget]:
    call_list = _list(list_id)
    target = db.session.get(CallTarget, target_id)
    if target is None or target.call_list_id != call_list.id or target.allocated_to_id != current_user.id:
        abort(404)
    return call_list, target


@bp.get("/")
@login_required
def mine():
    lists = services.caller_lists(current_user)
    return render_template("calllists/mine.html", lists=lists, managed=services.managed_lists(current_user),
                           now=utcnow())


@bp.get("/<int:list_id>")
@login_required
def call(list_id: int):
    call_list = _list(list_id)
    held = queue.held(call_list, current_user)
    if held is not None:
        return redirect(url_for(".target", list_id=list_id, target_id=held.id))
    now = utcnow()
    empty = queue.why_empty(call_list, now) if request.args.get("empty") else None
    if empty is None and not call_list.is_open(now):
        empty = queue.why_empty(call_list, now)
    return render_template("calllists/call.html", call_list=call_list, empty=empty, form=CsrfForm(),
                           today_end=reports.start_of_today(now).date())


@bp.post("/<int:list_id>/next")
@login_required
def next_person(list_id: int):
    call_list = _list(list_id)
    if not CsrfForm().validate_on_submit():
        abort(400)
    now = utcnow()
    if queue.refresh(call_list, now):
        db.session.commit()  # the refresh on its own: the allocation below then locks one row only
    target = queue.next_target(call_list, current_user, now)
    db.session.commit()
    if target is None:
        return redirect(url_for(".call", list_id=list_id, empty=1))
    return redirect(url_for(".target", list_id=list_id, target_id=target.id))


@bp.get("/<int:list_id>/t/<int:target_id>")
@login_required
def target(list_id: int, target_id: int):
    call_list, target = _held(list_id, target_id)
    member = target.member
    services.show_target(target, current_user)
    submission = services.latest_submission(member.id, call_list.survey_id)
    local_now = utcnow().astimezone(STOCKHOLM).replace(tzinfo=None)
    page = render_template(
        "calllists/target.html", call_list=call_list, target=target, member=member,
        answers=_answers(submission), history=services.history(target),
        script=services.script_for(call_list, member.first_name),
        asks=followups.asks_for(member.id, local_now),
        outcomes=services.OUTCOMES, form=OutcomeForm(), ask_form=CsrfForm(), phone_survey=_survey(call_list),
        phone=format_phone(member.phone),
    )
    db.session.commit()  # the audit entry
    return page


def _answers(submission) -> list:
    """(question, value) for what a caller needs: skills, interests, availability, how and when to call."""
    if submission is None:
        return []
    wanted = ("skills", "interests", "availability")
    by_key = {a.question.key: a for a in submission.answers}
    rows = [(a.question, a.value) for a in submission.answers if a.question.profile in wanted]
    for key in ("contact_method", "best_time_to_call"):
        if key in by_key:
            rows.append((by_key[key].question, by_key[key].value))
    return rows


@bp.post("/<int:list_id>/t/<int:target_id>")
@login_required
def outcome(list_id: int, target_id: int):
    call_list, target = _held(list_id, target_id)
    form = OutcomeForm()
    if not form.validate_on_submit():
        abort(400)
    now = utcnow()
    action = request.form.get("action")
    if action == "skip":
        services.skip(target, current_user, now)
        db.session.commit()
        return redirect(url_for(".call", list_id=list_id))
    if action == "done":
        queue.release(target, current_user)
        db.session.commit()
        flash(_("Tack för i dag! Personen går tillbaka till listan."))
        return redirect(url_for(".mine"))
    outcome_key = request.form.get("outcome")
    if outcome_key not in services.OUTCOMES:
        abort(400)
    try:
        services.record_outcome(target, current_user, outcome_key, now, note=form.note.data,
                                callback_at=aware(form.callback_at.data), needs_action=form.needs_action.data,
                                message=form.message.data)
    except services.CallListError as exc:
        db.session.rollback()
        flash({"callback_at": _("Välj en tid i framtiden att ringa tillbaka."),
               "message": _("Skriv vad organisatören behöver göra.")}.get(exc.code, _("Något saknas.")))
        return redirect(url_for(".target", list_id=list_id, target_id=target_id))
    db.session.commit()
    flash(_("Sparat: %(outcome)s.", outcome=_(services.OUTCOMES[outcome_key])))
    return redirect(url_for(".call", list_id=list_id))


@bp.post("/<int:list_id>/t/<int:target_id>/asks/<int:assignment_id>")
@login_required
def ask(list_id: int, target_id: int, assignment_id: int):
    _call_list, target = _held(list_id, target_id)
    assignment = db.session.get(Assignment, assignment_id)
    if assignment is None or assignment.member_id != target.member_id:
        abort(404)
    if not CsrfForm().validate_on_submit() or request.form.get("answer") not in ("accept", "decline"):
        abort(400)
    accept = request.form["answer"] == "accept"
    if followups.answer_ask(target, assignment, accept, current_user, utcnow()):
        flash(_("Sparat: ja till uppgiften.") if accept else _("Sparat: nej till uppgiften."))
    else:
        flash(_("Platsen har hunnit gå till någon annan."))
    db.session.commit()
    return redirect(url_for(".target", list_id=list_id, target_id=target_id))


# -- the survey by phone --------------------------------------------------------------------------------

def _survey(call_list: CallList) -> Survey | None:
    survey = call_list.survey
    return survey if survey is not None and survey.is_open(utcnow()) else None


def _walk(list_id: int, target_id: int) -> phone_survey.PhoneWalk:
    call_list, target = _held(list_id, target_id)
    survey = _survey(call_list)
    if survey is None:
        abort(404)
    return phone_survey.walk_for(survey, target, current_user, lang_code())


@bp.get("/<int:list_id>/t/<int:target_id>/survey")
@login_required
def survey_start(list_id: int, target_id: int):
    walk = _walk(list_id, target_id)
    db.session.commit()
    keys = walk.page_keys()
    resume = walk.submission.resume_section
    return redirect(walk.page_url(resume if resume in keys else keys[0]))


@bp.route("/<int:list_id>/t/<int:target_id>/survey/p/<section_key>", methods=["GET", "POST"])
@login_required
def survey_page(list_id: int, target_id: int, section_key: str):
    walk = _walk(list_id, target_id)
    section = walk.section(section_key)
    if section is None:
        abort(404)
    lang = lang_code()
    if request.method == "GET":
        db.session.commit()
        return render_template("calllists/survey_page.html", walk=walk, section=section,
                               form=walk.form(section, lang), errors={})
    action = request.form.get("action", "next")
    form = walk.form(section, lang, formdata=request.form)
    errors = walk.save_page(section, form, strict=action in ("next", "done") or walk.is_submitted)
    if errors:
        return render_template("calllists/survey_page.html", walk=walk, section=section, form=form,
                               errors=errors), 422
    db.session.commit()
    if action == "back":
        return redirect(walk.url_before(section.key))
    if action == "done":
        return redirect(walk.review_url())
    return redirect(walk.url_after(section.key))


@bp.get("/<int:list_id>/t/<int:target_id>/survey/review")
@login_required
def survey_review(list_id: int, target_id: int):
    walk = _walk(list_id, target_id)
    db.session.commit()
    return render_template("calllists/survey_review.html", walk=walk, missing=walk.missing())


@bp.post("/<int:list_id>/t/<int:target_id>/survey/submit")
@login_required
def survey_submit(list_id: int, target_id: int):
    walk = _walk(list_id, target_id)
    if not CsrfForm().validate_on_submit():
        abort(400)
    missing = walk.missing()
    if missing:
        return redirect(walk.page_url(next(iter(missing))))
    phone_survey.submit(walk, current_user, utcnow())
    services.check_goal(walk.target, utcnow())
    db.session.commit()
    flash(_("Enkätsvaren är sparade som medlemmens egna."))
    return redirect(walk.call_url())


# -- a caller account's first password ------------------------------------------------------------------

@bp.route("/welcome/<token>", methods=["GET", "POST"])
def welcome(token: str):
    link = caller_accounts.by_token(token, utcnow())
    if link is None:
        abort(404)
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            caller_accounts.set_password(link, form.password.data, utcnow())
        except accounts.PasswordTooShort:
            abort(400)
        db.session.commit()
        flash(_("Lösenordet är sparat. Logga in med din e-postadress."))
        return redirect(url_for("admin.login"))
    return render_template("calllists/welcome.html", form=form, email=link.user.email)

