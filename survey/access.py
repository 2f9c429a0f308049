"""Who may see what. Every query for members, submissions and exports goes through these helpers.

District admins see everything. Organizers see the associations they are assigned to and nothing else;
a record of another association answers 404, so URLs cannot be used to probe what exists. Callers see
only the call lists assigned to them (outreach), never the registry.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

import sqlalchemy as sa
from flask import abort
from flask_login import current_user, login_required

from survey.models import Member, Role, User


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
    from survey.extensions import db

    member = db.session.get(Member, member_id)
    if member is None:
        abort(404)
    require_association(user, member.association_id)
    return member
