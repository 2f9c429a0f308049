"""A member's published tasks: accept or decline through a personal link, and their own calendar feed.

The link is the key (only its hash is stored): anything unknown answers a plain 404, and the page shows
nothing about other members.
"""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_wtf import FlaskForm

from outreach.asks import page as asks
from outreach.match import services as assign
from survey.extensions import db
from survey.models import Assignment, AssignmentStatus

bp = Blueprint("member_tasks", __name__)


class AnswerForm(FlaskForm):
    """Only a CSRF token: the two buttons carry the answer."""


def _assignment(token: str) -> Assignment:
    assignment = assign.by_token(token)
    if assignment is None or assignment.status is AssignmentStatus.PROPOSED:
        abort(404)
    return assignment


@bp.get("/t/<token>")
def show(token: str):
    page = asks.ask_page(_assignment(token), full=bool(request.args.get("full")))
    return render_template("asks/task.html", page=page, form=AnswerForm())


@bp.post("/t/<token>")
def respond(token: str):
    assignment = _assignment(token)
    if not AnswerForm().validate_on_submit():
        abort(400)
    answer = request.form.get("answer")
    if answer not in ("accept", "decline"):
        abort(400)
    taken = assign.respond(assignment, answer == "accept")
    db.session.commit()
    return redirect(url_for("member_tasks.show", token=token, full=None if taken else "1"))
