"""Who may see what. Every query for members, submissions and exports goes through these helpers.

District admins see everything. Organizers see the associations they are assigned to and nothing else;
a record of another association answers 404, so URLs cannot be used to probe what exists. Callers see
only the call lists assigned to them (outreach), never the registry. One exception, for the people of a
task (`can_see_contact`): the organizer of a task's association sees the name and phone of everyone
asked to it, travelling members of other associations too, and nothing else of them.

Because an admin reads the whole district's special-category data, admins must use two-factor login
(TOTP): an admin account without it may work for a grace period after it was created, and after that
reaches nothing under /admin but the set-up page and logging out (`require_admin_totp`, for every
request, so no view can forget it).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from functools import wraps
from typing import Any

import sqlalchemy as sa
from flask import Flask, abort, current_app, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from survey.extensions import db
from survey.models import (
    Assignment,
    AssignmentStatus,
    Member,
    Organisation,
    OrganisationKind,
    Role,
    Shift,
    Task,
    User,
    utcnow,
)

# Every staff page lives under /admin; members' pages elsewhere (survey and task links, calendar feeds,
# unsubscribing) are keyed by their address and show the same to anyone, logged in or not.
STAFF_PREFIXES = ("/admin", "/calls")  # /calls: the callers' screens
# What an admin who is past the grace period without two-factor login may still open.
OPEN_UNTIL_TOTP = frozenset({"accounts.totp_setup", "admin.logout"})


def init_app(app: Flask) -> None:
    app.before_request(require_admin_totp)


def roles_required(*roles: Role) -> Callable:
    """Log in first; then 403 for any role not listed."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapper(*args: Any, **kwargs: Any):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapper

    return decorator


admin_required = roles_required(Role.ADMIN)
staff_required = roles_required(Role.ADMIN, Role.ORGANIZER)


def association_ids(user: User) -> set[int] | None:
    """The associations a user may see; None means all (district admins)."""
    if user.role is Role.ADMIN:
        return None
    if user.role is Role.ORGANIZER:
        return {org.id for org in user.associations}
    return set()


def scope_members(query: sa.Select, user: User) -> sa.Select:
    """Restrict a select over Member to what `user` may see."""
    allowed = association_ids(user)
    if allowed is None:
        return query
    return query.where(Member.association_id.in_(allowed)) if allowed else query.where(sa.false())


def can_see_association(user: User, association_id: int | None) -> bool:
    allowed = association_ids(user)
    return allowed is None or (association_id is not None and association_id in allowed)


def require_association(user: User, association_id: int | None) -> None:
    """404, not 403, for what the user may not see: do not confirm that it exists."""
    if not can_see_association(user, association_id):
        abort(404)


def member_or_404(user: User, member_id: int) -> Member:
    member = db.session.get(Member, member_id)
    if member is None:
        abort(404)
    require_association(user, member.association_id)
    return member


# -- two-factor login for admins -------------------------------------------------------------------


def admin_totp_deadline(user: User) -> datetime | None:
    """When this account must have two-factor login set up: its creation plus ADMIN_TOTP_GRACE_DAYS.
    None when nothing is asked of it: not an admin, already set up, or not required on this server
    (ADMIN_TOTP_REQUIRED off, as for the demo).

    The grace is counted from the account's creation and never restarts: an account older than that
    which becomes an admin, or an admin whose two-factor login was turned off (a lost phone), sets it
    up right after logging in with the password.
    """
    config = current_app.config
    if user.role is not Role.ADMIN or user.totp_secret or not config["ADMIN_TOTP_REQUIRED"]:
        return None
    return (user.created_at or utcnow()) + timedelta(days=int(config["ADMIN_TOTP_GRACE_DAYS"]))


def admin_totp_overdue(user: User) -> bool:
    deadline = admin_totp_deadline(user)
    return deadline is not None and utcnow() >= deadline


def require_admin_totp():
    """Before every request: an admin past the grace period without two-factor login is sent to set it
    up, from every staff page (exports and downloads too), until it is on."""
    staff_page = any(request.path == p or request.path.startswith(p + "/") for p in STAFF_PREFIXES)
    if not staff_page or request.endpoint in OPEN_UNTIL_TOTP:
        return None
    if current_user.is_authenticated and admin_totp_overdue(current_user):
        return redirect(url_for("accounts.totp_setup"), 303)  # 303: a refused POST is not repeated
    return None
def visible_associations(user: User) -> list[Organisation]:
    """The local associations `user` may see (and so pick in a filter or act for), by name. Admins: all;
    an organizer: theirs; anyone else: none. The one place that turns `association_ids` into rows."""
    allowed = association_ids(user)
    query = sa.select(Organisation).where(Organisation.kind == OrganisationKind.ASSOCIATION)
    if allowed is not None:
        query = query.where(Organisation.id.in_(allowed) if allowed else sa.false())
    return list(db.session.scalars(query.order_by(Organisation.name)))


def can_manage_association(user: User, association_id: int | None) -> bool:
    """Whether `user` may change what belongs to an association; None is the district itself, which
    only admins manage (organizers see district-wide tasks but do not change them)."""
    allowed = association_ids(user)
    return allowed is None or association_id in allowed


# -- campaign tasks: organizers see their associations' tasks and the district-wide ones --------------

def visible_tasks(query: sa.Select, user: User) -> sa.Select:
    """Restrict a select over Task (or joined to it) to what `user` may see."""
    allowed = association_ids(user)
    if allowed is None:
        return query
    return query.where(sa.or_(Task.association_id.in_(allowed), Task.association_id.is_(None)))


def can_see_task(user: User, task: Task) -> bool:
    allowed = association_ids(user)
    return allowed is None or task.association_id is None or task.association_id in allowed


def can_edit_task(user: User, task: Task) -> bool:
    return can_manage_association(user, task.association_id)


def can_create_tasks(user: User) -> bool:
    allowed = association_ids(user)
    return allowed is None or bool(allowed)


# -- the people of a task ----------------------------------------------------------------------------

# Asked to a shift: the member has been told about it (and may have answered). Proposals are not asks.
ASKED = (AssignmentStatus.PUBLISHED, AssignmentStatus.ACCEPTED, AssignmentStatus.DECLINED)


def organizes_task(user: User | None, task: Task) -> bool:
    """Organizer (or admin) of the task's own association; a district-wide task has none but the admins."""
    allowed = None if user is None else association_ids(user)
    return allowed is None or task.association_id in allowed


def can_see_contact(user: User | None, member: Member, task: Task) -> bool:
    """May `user` see `member`'s name and phone where `task`'s people are listed (match page, task page,
    replacements, SMS list, print-outs)?

    Members of the user's own associations, always. A member of another association (a travelling
    volunteer) only once asked to one of the task's shifts, and only by the organizers of the task's
    association: those are the people they must reach to run the shift, and the SMS list hands them the
    phone anyway. Nothing else of that member: their answers and member page still answer 404
    (`member_or_404`). The CLI (user None) acts for the district.
    """
    if user is None or can_see_association(user, member.association_id):
        return True
    if task.association_id is None or not organizes_task(user, task):
        return False
    asked = sa.select(Assignment.id).join(Shift).where(
        Shift.task_id == task.id, Assignment.member_id == member.id, Assignment.status.in_(ASKED))
    return db.session.scalar(sa.select(asked.exists())) or False


def person_label(user: User | None, member: Member, task: Task) -> str:
    """How a task's person is named for `user`: the full name when `can_see_contact`; to the task's
    organizer, a candidate of another association not asked yet is "Cy (Timrå)", enough to choose
    between candidates by their reasons without a way to reach them; anyone else "Medlem i Timrå"."""
    if can_see_contact(user, member, task):
        return member.full_name
    org = member.association.name if member.association else None
    if task.association_id is not None and organizes_task(user, task):
        return f"{member.first_name} ({org})" if org else member.first_name
    return _("Medlem i %(org)s", org=org) if org else _("Medlem")
