"""The audit log, read back: the ombudsman's filtered view of who did what, and its CSV.

Beside survey/privacy/services.py (the members' rights), because reading the log is the board's check
on everyone who handles members' data, the district's own staff included.
"""

from __future__ import annotations

import json
from datetime import datetime

import sqlalchemy as sa

from survey.extensions import db
from survey.models import AuditEvent, Organisation
from survey.spec.services import STOCKHOLM
from survey.tabular import export_bytes


def audit_events(user_email: str | None = None, action: str | None = None, since: datetime | None = None,
                 until: datetime | None = None) -> sa.Select:
    """Audit events matching the filters, newest first; `until` is exclusive."""
    query = sa.select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    if user_email:
        query = query.where(AuditEvent.user_email == user_email)
    if action:
        query = query.where(AuditEvent.action == action)
    if since:
        query = query.where(AuditEvent.at >= since)
    if until:
        query = query.where(AuditEvent.at < until)
    return query


def audit_choices() -> tuple[list[str], list[str]]:
    """The user emails and actions that occur in the log, for the filter menus."""
    emails = db.session.scalars(sa.select(AuditEvent.user_email).where(AuditEvent.user_email.is_not(None))
                                .distinct().order_by(AuditEvent.user_email)).all()
    actions = db.session.scalars(sa.select(AuditEvent.action).distinct().order_by(AuditEvent.action)).all()
    return list(emails), list(actions)


def association_names() -> dict[int, str]:
    return {i: name for i, name in db.session.execute(sa.select(Organisation.id, Organisation.name))}


def audit_csv(events: list[AuditEvent]) -> bytes:
    """The log as CSV (local times), through the same formula-defusing export as the survey answers."""
    import pandas as pd  # here, not at the top: the app and its CLI start without pandas

    names = association_names()
    records = [{"at": e.at.astimezone(STOCKHOLM).isoformat(timespec="seconds"), "user": e.user_email or "",
                "action": e.action, "target": e.target, "association": names.get(e.association_id, ""),
                "rows": "" if e.rows is None else e.rows,
                "detail": json.dumps(e.detail, ensure_ascii=False, sort_keys=True) if e.detail else ""}
               for e in events]
    columns = ["at", "user", "action", "target", "association", "rows", "detail"]
    return export_bytes(pd.DataFrame.from_records(records, columns=columns), "csv")
