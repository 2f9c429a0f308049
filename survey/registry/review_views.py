"""The review page: open-link answers the registry could not place, and settling them.

Thin on purpose: who may see an item, and what each action does, live in survey.registry.review. Every
action is a POST (CSRF is checked app-wide, a bad token answers 400), answers with a redirect back to
the list (303), and is written to the audit trail; the page itself records a view, as the member list
does, since it shows names and contact details.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import IntegerField, StringField
from wtforms.validators import DataRequired, Optional

from survey.core import access, audit
from survey.core.access import admin_required, member_or_404, staff_required
from survey.extensions import db
from survey.models import Member, utcnow
from survey.registry import review

bp = Blueprint("review", __name__, url_prefix="/admin/review")


class LinkForm(FlaskForm):
    member = IntegerField(validators=[Optional()])  # a candidate's button
    number = StringField(validators=[Optional()])  # or a member number typed in


class CreateForm(FlaskForm):
    association = IntegerField(validators=[DataRequired()])


class ActionForm(FlaskForm):
    pass


def _back():
    return redirect(url_for(".index"), 303)


@bp.get("")
@staff_required
def index():
    items = review.pending(current_user)
    audit.record(current_user, "view", "review", rows=min(len(items), review.SHOWN))
    db.session.commit()
    return render_template(
        "registry/review.html",
        items=items[: review.SHOWN],
        total=len(items),
        form=ActionForm(),
        associations=access.visible_associations(current_user),
    )


def _chosen_member(form: LinkForm) -> Member | None:
    """The member picked, if `current_user` may see them (404 otherwise, as everywhere)."""
    if form.member.data:
        return member_or_404(current_user, form.member.data)
    number = (form.number.data or "").strip()
    if not number:
        return None
    member = db.session.scalar(db.select(Member).where(Member.member_number == number))
    return member_or_404(current_user, member.id) if member else None


@bp.post("/<int:submission_id>/link")
@staff_required
def link(submission_id: int):
    item = review.item_or_404(current_user, submission_id)
    form = LinkForm()
    if not form.validate():
        flash(_("Välj en medlem eller skriv ett medlemsnummer."), "error")
        return _back()
    if item.done:
        flash(_("Svaret var redan granskat."), "info")
        return _back()
    member = _chosen_member(form)
    if member is None:
        flash(_("Ingen medlem med det medlemsnumret."), "error")
        return _back()
    review.link(item, member, current_user, utcnow())
    db.session.commit()
    flash(_("Svaret är kopplat till %(name)s.", name=member.full_name), "success")
    return _back()


@bp.post("/<int:submission_id>/new")
@admin_required
def create(submission_id: int):
    item = review.item_or_404(current_user, submission_id)
    form = CreateForm()
    if not form.validate():
        flash(_("Välj en förening för den nya medlemmen."), "error")
        return _back()
    association = next(
        (a for a in access.visible_associations(current_user) if a.id == form.association.data), None
    )
    if association is None:
        flash(_("Välj en förening för den nya medlemmen."), "error")
        return _back()
    try:
        member = review.create_member(item, association, current_user, utcnow())
    except review.ReviewError as exc:
        flash(str(exc), "error")
        return _back()
    if member is None:
        flash(_("Svaret var redan granskat."), "info")
        return _back()
    db.session.commit()
    flash(
        _("%(name)s är ny medlem i %(association)s.", name=member.full_name, association=association.name),
        "success",
    )
    return _back()


@bp.post("/<int:submission_id>/anonymous")
@staff_required
def anonymous(submission_id: int):
    item = review.item_or_404(current_user, submission_id)
    if review.leave_anonymous(item, current_user, utcnow()):
        db.session.commit()
        flash(_("Svaret lämnas anonymt."), "success")
    else:
        flash(_("Svaret var redan granskat."), "info")
    return _back()
