"""Survey -> registry: contact details a member changed in the survey become proposed registry changes.

When a sheet tied to a member is sent, each answer to a question that the registry prefilled (first and
last name, phone, e-mail, postcode) is compared with the member's row. A difference is a proposal; the
organizer accepts or rejects it, or a rule accepts it at once: the fields in `REGISTRY_AUTO_ACCEPT` (phone
and e-mail by default), only when the member came by their personal link, which proves who they are. An
open-link answer matched on phone or e-mail always waits for a person.

The registry import asks `keep_member_correction` before it writes a field: a file that still carries the
value the member corrected away does not silently undo the correction (the import reports it instead).
Verbs flush, never commit; every decision is audited.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from survey.core import audit
from survey.core.access import scope_members
from survey.core.contacts import normalize_email, normalize_phone
from survey.extensions import db
from survey.models import (
    CorrectionStatus,
    Member,
    RegistryCorrection,
    RegistryMatch,
    Submission,
    SubmissionStatus,
    User,
)

FIELDS = ("first_name", "last_name", "phone", "email", "postcode")  # prefill keys that are Member columns
DECIDED = (CorrectionStatus.ACCEPTED, CorrectionStatus.AUTO)


def normal(field: str, raw: object) -> str | None:
    """The answer as the registry stores it; None when blank or not a valid value (never a correction)."""
    text = str(raw).strip() if raw is not None else ""
    if not text:
        return None
    if field == "phone":
        return normalize_phone(text)
    if field == "email":
        return normalize_email(text)
    if field == "postcode":
        digits = "".join(ch for ch in text if ch.isdigit())
        return digits if len(digits) == 5 else None
    return text[:100]


def _pending_by_field(member_id: int) -> dict[str, RegistryCorrection]:
    return {c.field: c for c in db.session.scalars(sa.select(RegistryCorrection).where(
        RegistryCorrection.member_id == member_id, RegistryCorrection.status == CorrectionStatus.PENDING))}


def _given(submission: Submission) -> dict[str, object]:
    """What the respondent told us of each field: the signature of an open-link answer ("Vem är du?", which
    the open link asks instead of "Om dig"), then the answers to prefilled questions, which win."""
    given: dict[str, object] = {}
    if submission.registry_match is not RegistryMatch.PERSONAL:
        signed = {"phone": submission.signed_phone, "email": submission.signed_email}
        given.update({field: value for field, value in signed.items() if value})
    for answer in submission.answers:
        if answer.question.prefill in FIELDS:
            given[answer.question.prefill] = answer.value
    return given


def propose(submission: Submission, now: datetime) -> list[RegistryCorrection]:
    """Compare a sent sheet's contact answers with the registry; returns the new proposals. Idempotent: the
    same sheet sent again proposes nothing new, and a newer value replaces an undecided older one."""
    # By id: matching an open-link sheet to a member sets member_id, not the (maybe loaded) relationship.
    member = db.session.get(Member, submission.member_id) if submission.member_id else None
    if member is None or submission.status is not SubmissionStatus.SUBMITTED:
        return []
    auto = set(current_app.config.get("REGISTRY_AUTO_ACCEPT", ())) \
        if submission.registry_match is RegistryMatch.PERSONAL else set()
    made = []
    undecided = _pending_by_field(member.id)
    for field, raw in _given(submission).items():
        new = normal(field, raw)
        pending = undecided.get(field)
        if new is None or new == getattr(member, field):
            if pending is not None and new is not None:
                pending.status, pending.decided_at = CorrectionStatus.SUPERSEDED, now
            continue
        if pending is not None:
            if pending.new_value == new:
                continue
            pending.status, pending.decided_at = CorrectionStatus.SUPERSEDED, now
        correction = RegistryCorrection(member=member, submission=submission, field=field,
                                        old_value=getattr(member, field), new_value=new, created_at=now)
        db.session.add(correction)
        made.append(correction)
        if field in auto:
            _apply(correction, None, now, CorrectionStatus.AUTO)
    db.session.flush()
    return made


def _apply(correction: RegistryCorrection, user: User | None, now: datetime,
           status: CorrectionStatus) -> None:
    member = correction.member
    correction.old_value = getattr(member, correction.field)  # what it replaces now, not when proposed
    setattr(member, correction.field, correction.new_value)
    correction.status, correction.decided_at = status, now
    correction.decided_by_id = user.id if user else None
    audit.record(user, "correct", f"member:{member.id}", rows=1, association_id=member.association_id,
                 field=correction.field, how=status.value)


def accept(correction: RegistryCorrection, user: User, now: datetime) -> bool:
    """Take the member's value into the registry; False (nothing done) when already decided."""
    if correction.status is not CorrectionStatus.PENDING:
        return False
    _apply(correction, user, now, CorrectionStatus.ACCEPTED)
    db.session.flush()
    return True


def reject(correction: RegistryCorrection, user: User, now: datetime) -> bool:
    """Keep the registry's value; False when already decided."""
    if correction.status is not CorrectionStatus.PENDING:
        return False
    correction.status, correction.decided_at = CorrectionStatus.REJECTED, now
    correction.decided_by_id = user.id
    audit.record(user, "reject_correction", f"member:{correction.member_id}", rows=1,
                 association_id=correction.member.association_id, field=correction.field)
    db.session.flush()
    return True


def pending(user: User, member: Member | None = None) -> list[RegistryCorrection]:
    """Undecided proposals the user may decide: members of their associations (admins: all)."""
    members = scope_members(sa.select(Member.id), user)
    stmt = (sa.select(RegistryCorrection)
            .where(RegistryCorrection.status == CorrectionStatus.PENDING,
                   RegistryCorrection.member_id.in_(members))
            .order_by(RegistryCorrection.created_at))
    if member is not None:
        stmt = stmt.where(RegistryCorrection.member_id == member.id)
    return list(db.session.scalars(stmt))


def pending_by_association(association_ids: set[int] | None) -> dict[int | None, int]:
    """Undecided proposals per member's association, in one query (the start page's figures)."""
    stmt = (sa.select(Member.association_id, sa.func.count()).select_from(RegistryCorrection)
            .join(Member, Member.id == RegistryCorrection.member_id)
            .where(RegistryCorrection.status == CorrectionStatus.PENDING).group_by(Member.association_id))
    if association_ids is not None:
        stmt = stmt.where(Member.association_id.in_(association_ids))
    return dict(db.session.execute(stmt).all())


def kept_corrections() -> dict[tuple[int, str], tuple[str | None, str | None]]:
    """(member id, field) -> (value corrected away, member's value) of each field's latest decided
    correction: one query for the whole import, which then keeps a member's own correction where the file
    still carries the old value (see `kept`)."""
    rows = db.session.execute(
        sa.select(RegistryCorrection.member_id, RegistryCorrection.field, RegistryCorrection.old_value,
                  RegistryCorrection.new_value)
        .where(RegistryCorrection.status.in_(DECIDED))
        .order_by(RegistryCorrection.decided_at, RegistryCorrection.id))
    return {(r.member_id, r.field): (r.old_value, r.new_value) for r in rows}  # later rows win


def kept(corrected: tuple[str | None, str | None] | None, current: object, incoming: object) -> bool:
    """Whether an import should leave a field alone: the registry still has the member's own value and the
    file still has the value the member corrected away. A file with a third value is newer news (the member
    told the party's office too): that one wins."""
    if corrected is None:
        return False
    old, new = corrected
    return current == new and incoming == old and old != new


def field_label(field: str) -> str:
    return {"first_name": _("Förnamn"), "last_name": _("Efternamn"), "phone": _("Telefon"),
            "email": _("E-post"), "postcode": _("Postnummer")}.get(field, field)
