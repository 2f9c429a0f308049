"""Signing answers given through the open link, and tying them to the registry.

A signed submission is linked to a member only when exactly one member has that phone number or email.
Anything else is kept and flagged for review: guessing would attach someone's political views to the
wrong person.
"""

from __future__ import annotations

import sqlalchemy as sa

from survey.core.contacts import normalize_email, normalize_phone
from survey.extensions import db
from survey.models import Member, RegistryMatch, Submission


def sign(submission: Submission, name: str | None, phone: str | None, email: str | None) -> None:
    submission.signed_name = (name or "").strip() or None
    submission.signed_phone = normalize_phone(phone)
    submission.signed_email = normalize_email(email)


def match_registry(submission: Submission) -> None:
    """Set member and registry_match from the signature. Personal-link and reviewed submissions are left
    alone."""
    if submission.registry_match is RegistryMatch.PERSONAL or submission.reviewed_at is not None:
        return  # a person's review decision stands
    phone, email = submission.signed_phone, submission.signed_email
    if not (phone or email or submission.signed_name):
        submission.registry_match, submission.member_id, submission.needs_review = (
            RegistryMatch.ANONYMOUS, None, False)
        return
    conditions = []
    if phone:
        conditions.append(Member.phone == phone)
    if email:
        conditions.append(Member.email == email)
    candidates = (
        db.session.scalars(sa.select(Member.id).where(sa.or_(*conditions))).all() if conditions else []
    )
    if len(candidates) == 1:
        # A member who also answered through their personal link now has two answer sheets: review.
        other = db.session.scalar(sa.select(Submission.id).where(
            Submission.survey_id == submission.survey_id, Submission.member_id == candidates[0],
            Submission.id != submission.id).limit(1))
        submission.member_id, submission.registry_match, submission.needs_review = (
            candidates[0], RegistryMatch.MATCHED, other is not None)
    else:
        submission.member_id = None
        submission.registry_match = RegistryMatch.AMBIGUOUS if candidates else RegistryMatch.UNMATCHED
        submission.needs_review = True
