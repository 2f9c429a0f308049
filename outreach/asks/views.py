"""A member's published tasks: accept or decline through a personal link, and their own calendar feed.

The link is the key (only its hash is stored): anything unknown answers a plain 404, and the page shows
nothing about other members. Giving a booked place back goes through its own confirmation page (see
outreach/asks/services.py), so one stray tap on a phone cannot release it.
"""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_wtf import FlaskForm

from outreach.asks import page as asks
from outreach.asks import services as answers
from outreach.match import services as assign
from survey.extensions import db
from survey.models import Assignment, AssignmentStatus

bp = Blueprint("member_tasks", __name__)


class AnswerForm(FlaskForm):
    """Only a CSRF token: the buttons carry the answer, a hidden `confirm` the release's second step."""


def _assignment(token: str) -> Assignment:
    assignment = assign.by_token(token)
    if assignment is None or assignment.status is AssignmentStatus.PROPOSED:
        abort(404)
    return assignment


@bp.get("/t/<token>")
def show(token: str):
    page = asks.ask_page(_assignment(token), full=bool(request.args.get("full")))
    return render_template("asks/task.html", page=page, form=AnswerForm())


@bp.get("/t/<token>/cancel")
def cancel(token: str):
    """The second step before a booked place is given back; anything else has nothing to confirm."""
    page = asks.ask_page(_assignment(token), full=False)
    if not page.accepted or page.started:
        return redirect(url_for("member_tasks.show", token=token))
    return render_template("asks/cancel.html", page=page, form=AnswerForm())


@bp.post("/t/<token>")
def respond(token: str):
    assignment = _assignment(token)
    if not AnswerForm().validate_on_submit():
        abort(400)
    answer = request.form.get("answer")
    if answer not in ("accept", "decline"):
        abort(400)
    outcome = answers.answer(assignment, answer == "accept", confirmed=request.form.get("confirm") == "1")
    db.session.commit()
    if outcome is answers.Outcome.CONFIRM:
        return redirect(url_for("member_tasks.cancel", token=token))
    full = "1" if outcome is answers.Outcome.FULL else None
    return redirect(url_for("member_tasks.show", token=token, full=full))
