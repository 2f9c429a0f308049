"""The audit trail: who viewed or exported which list, and when. Never member data, only counts and scopes."""

from __future__ import annotations

from typing import Any

from survey.extensions import db
from survey.models import AuditEvent, User


def record(user: User | None, action: str, target: str, *, rows: int | None = None,
           association_id: int | None = None, **detail: Any) -> AuditEvent:
    event = AuditEvent(user_id=user.id if user else None, user_email=user.email if user else None,
                       action=action, target=target, rows=rows, association_id=association_id,
                       detail=detail or None)
    db.session.add(event)
    db.session.flush()
    return event
