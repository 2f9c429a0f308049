"""The start page after logging in ("Idag"): for organizers their associations' week, for admins the
district's, one row per association. Callers have their call lists instead."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, url_for
from flask_login import current_user, login_required

from survey.models import Role, utcnow
from survey.today import services

bp = Blueprint("today", __name__, url_prefix="/admin/today")
# Another room lists the answers to review; until it is there, the overview is where they show.
REVIEW_ENDPOINT = "review.index"


@bp.get("")
@login_required
def index():
    if current_user.role is Role.CALLER:
        return redirect(url_for("calllists.mine"))  # a caller's start page: their call lists
    page = services.today(current_user, utcnow())
    review = REVIEW_ENDPOINT if REVIEW_ENDPOINT in current_app.view_functions else "overview.index"
    return render_template("today/index.html", page=page, review_endpoint=review,
                           is_admin=current_user.is_admin)
