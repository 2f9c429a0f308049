"""The networks' pages (/admin/networks): each network with its member count, its members, an export.

Staff only, like every member page: organizers see and count the members of their own associations, and
an association filter outside them answers 404. Looking at or exporting a list is written to the audit
trail, as for the member list.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from survey import tabular
from survey.core import access, audit
from survey.core.access import require_association, staff_required
from survey.core.contacts import format_phone
from survey.extensions import db
from survey.models import Organisation, utcnow
from survey.networks import services

bp = Blueprint("networks", __name__, url_prefix="/admin/networks")
PER_PAGE = 50
EXPORT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _network(slug: str) -> Organisation:
    network = services.network_by_slug(slug)
    if network is None:
        abort(404)
    return network


def _filters(args) -> tuple[str, int | None]:
    """(status, association id) from the query or the export form; an association the user may not see
    answers 404, as on the member list."""
    status = args.get("status", "active")
    if status not in services.STATUSES:
        status = "active"
    association = args.get("association", type=int) or None
    if association:
        require_association(current_user, association)
    return status, association


@bp.get("")
@staff_required
def index():
    rows = services.counts(current_user)
    audit.record(current_user, "view", "networks", rows=sum(n for _org, n in rows))
    db.session.commit()
    return render_template("networks/index.html", rows=rows)


@bp.get("/<slug>")
@staff_required
def show(slug: str):
    network = _network(slug)
    status, association = _filters(request.args)
    query = services.members_query(current_user, network, status=status, association_id=association)
    page = db.paginate(query, per_page=PER_PAGE, max_per_page=PER_PAGE, error_out=False)
    audit.record(
        current_user,
        "view",
        f"network:{slug}",
        rows=len(page.items),
        association_id=association,
        page=page.page,
        status=status,
    )
    db.session.commit()
    return render_template(
        "networks/show.html",
        network=network,
        page=page,
        filters={"status": status, "association": association or ""},
        associations=access.visible_associations(current_user),
        format_phone=format_phone,
    )


@bp.post("/<slug>/export.<fmt>")
@staff_required
def export(slug: str, fmt: str):
    """A POST with a CSRF token, like every member export: a cross-site link cannot pull the list."""
    if fmt not in EXPORT_TYPES:
        abort(404)
    network = _network(slug)
    if not FlaskForm().validate_on_submit():
        abort(400)
    status, association = _filters(request.form)
    members = list(
        db.session.scalars(
            services.members_query(current_user, network, status=status, association_id=association)
        )
    )
    frame = services.export_frame(members, _("kontakta inte"))
    audit.record(
        current_user,
        "export",
        f"network:{slug}",
        rows=len(frame),
        association_id=association,
        format=fmt,
        status=status,
    )
    data = tabular.export_bytes(frame, fmt)
    db.session.commit()
    filename = f"{slug}-{utcnow():%Y%m%d}.{fmt}"
    return Response(
        data, mimetype=EXPORT_TYPES[fmt], headers={"Content-Disposition": f"attachment; filename={filename}"}
    )
