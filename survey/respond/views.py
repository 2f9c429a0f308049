"""The member's survey: personal links /s/<token>, the open link /o/<slug>.

Thin by design: parse the form, call services, commit, redirect. One section per page, so every step
works with JavaScript turned off.
"""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for

from survey.core.lang import lang_code
from survey.extensions import db
from survey.models import SignatureMode, SubmissionStatus, Survey, SurveyLink, utcnow
from survey.respond import fragments, links, signatures, snapshot
from survey.respond import services as responses
from survey.respond.signature_form import SignatureForm
from survey.respond.walk import Walk

bp = Blueprint("respond", __name__)
# Both for every page that renders survey questions (the phone survey too): see survey/respond/fragments.py.
bp.add_app_template_global(fragments.checked, "checked")
bp.add_app_template_global(fragments.question_html, "question_html")


def _load(token: str, write: bool = False) -> tuple[SurveyLink | snapshot.LinkRow, Walk | None]:
    """The link and the member's walk. A page that only reads gets frozen rows from one query (see
    survey/respond/snapshot.py); one that writes (`write`), or the first visit that makes the sheet, the
    ORM rows."""
    if not write:
        link, sheet = snapshot.read(token)
        if link is None:
            abort(404)
        if not link.survey.is_open(utcnow()):
            return link, None
        if sheet is not None:
            return link, Walk(link, sheet)
        db.session.close()  # the read may have run outside a transaction; making the sheet needs one
    link, submission = links.resolve_with_sheet(token)
    if link is None:
        abort(404)
    if not link.survey.is_open(utcnow()):
        return link, None
    created = False
    if submission is None:
        submission, created = responses.open_submission(link, lang_code())
    walk = Walk(link, submission)
    if created:  # keep a just-created draft whatever the page does next
        _commit_keeping_loaded()
    return link, walk


def _commit_keeping_loaded() -> None:
    """Commit without expiring what this request loaded (the link, its survey and member, the sheet and
    its answers): reading them again after the commit would cost queries for nothing."""
    session = db.session()
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = True


def _closed(link: SurveyLink):
    return render_template("respond/closed.html", survey=link.survey, now=utcnow()), 200


@bp.get("/s/<token>")
def start(token: str):
    link, walk = _load(token)
    if walk is None:
        return _closed(link)
    return render_template("respond/start.html", walk=walk, token=token)


@bp.route("/s/<token>/signature", methods=["GET", "POST"])
def signature(token: str):
    link, walk = _load(token, write=True)  # its form reads the signed name and phone from the sheet
    if walk is None:
        return _closed(link)
    if not walk.asks_signature:
        abort(404)
    form = SignatureForm(walk.survey.signature,
                         formdata=request.form if request.method == "POST" else None,
                         obj=walk.submission)
    action = request.form.get("action", "next")
    # Going back keeps what was typed without insisting on the survey's required fields, as pages do.
    if request.method == "POST" and form.validate(complete=action != "back"):
        signatures.sign(walk.submission, form.name.data, form.phone.data, form.email.data)
        if action == "save":
            walk.submission.resume_section = Walk.SIGNATURE
            db.session.commit()
            return redirect(url_for(".saved", token=token))
        db.session.commit()
        if action == "back":
            return redirect(walk.url_before(Walk.SIGNATURE, token))
        return redirect(walk.url_after(Walk.SIGNATURE, token))
    return render_template("respond/signature.html", walk=walk, form=form, token=token)


@bp.route("/s/<token>/p/<section_key>", methods=["GET", "POST"])
def page(token: str, section_key: str):
    link, walk = _load(token, write=request.method == "POST")
    if walk is None:
        return _closed(link)
    section = walk.section(section_key)
    if section is None:
        abort(404)
    if request.method == "GET":
        form = walk.form(section, lang_code())
        # After a refused submit, show this page's missing answers right next to their fields.
        errors = walk.missing().get(section.key, {}) if request.args.get("check") else {}
        return render_template("respond/page.html", walk=walk, section=section, form=form, errors=errors,
                               token=token)

    action = request.form.get("action", "next")
    form = walk.form(section, lang_code(), formdata=request.form)
    errors = walk.save_page(section, form, strict=action in ("next", "done") or walk.is_submitted)
    if errors:
        return render_template("respond/page.html", walk=walk, section=section, form=form, errors=errors,
                               token=token), 422
    if action == "save":
        walk.submission.resume_section = section.key
    # Commit at once (SQLite's write lock is held from the first write to the commit), then decide where
    # to go from the answers in hand.
    _commit_keeping_loaded()
    if action == "save":
        return redirect(url_for(".saved", token=token))
    if action == "back":
        return redirect(walk.url_before(section.key, token))
    if action == "done":
        return redirect(url_for(".review", token=token))
    return redirect(walk.url_after(section.key, token))


@bp.get("/s/<token>/saved")
def saved(token: str):
    link, walk = _load(token)
    if walk is None:
        return _closed(link)
    return render_template("respond/saved.html", walk=walk, token=token)


@bp.get("/s/<token>/review")
def review(token: str):
    link, walk = _load(token)
    if walk is None:
        return _closed(link)
    return render_template("respond/review.html", walk=walk, token=token, missing=walk.missing())


@bp.post("/s/<token>/submit")
def submit(token: str):
    link, walk = _load(token, write=True)
    if walk is None:
        return _closed(link)
    missing = walk.missing()
    if missing:
        first = next(iter(missing))
        return redirect(url_for(".page", token=token, section_key=first, check=1))
    # Match first: the profile that submit rebuilds must carry the matched member for task matching.
    signatures.match_registry(walk.submission)
    responses.submit(walk.submission, utcnow(), consent=walk.has_consent)
    db.session.commit()
    return redirect(url_for(".thanks", token=token))


@bp.get("/s/<token>/thanks")
def thanks(token: str):
    link, walk = _load(token)
    if walk is None:
        return _closed(link)
    if walk.submission.status is not SubmissionStatus.SUBMITTED:
        return redirect(url_for(".start", token=token))
    return render_template("respond/thanks.html", walk=walk, token=token)


@bp.route("/o/<slug>", methods=["GET", "POST"])
def open_link(slug: str):
    survey = db.session.query(Survey).filter_by(slug=slug).one_or_none()
    if survey is None:
        abort(404)
    if not survey.is_open(utcnow()):
        return render_template("respond/closed.html", survey=survey, now=utcnow())
    if request.method == "POST":
        # A fresh link per person: the token in the URL is what lets them save and come back. Straight to
        # the first question: this page was the introduction, and the start page would repeat it.
        token = links.issue_link(survey, None)
        link = links.resolve(token)
        walk = Walk(link, responses.submission_for(link, lang_code()))
        db.session.commit()
        return redirect(walk.first_url(token))
    return render_template("respond/open.html", survey=survey, signature_modes=SignatureMode)
