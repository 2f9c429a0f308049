"""Survey links: a random token in the URL, only its SHA-256 hash in the database."""

from __future__ import annotations

import hashlib
import secrets

import sqlalchemy as sa

from survey.extensions import db
from survey.models import Member, Survey, SurveyLink

TOKEN_BYTES = 24  # 192 bits; the issue asks for at least 128


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_link(survey: Survey, member: Member | None) -> str:
    """Create a link and return its token. The token is shown once and cannot be recovered later."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    db.session.add(SurveyLink(survey=survey, member=member, token_hash=hash_token(token)))
    db.session.flush()
    return token


def resolve(token: str) -> SurveyLink | None:
    """The link for a token, or None for anything unknown or malformed (callers answer 404)."""
    if not token or len(token) > 64:
        return None
    return db.session.scalar(sa.select(SurveyLink).where(SurveyLink.token_hash == hash_token(token)))


def survey_url(base_url: str, token: str) -> str:
    return f"{base_url}/s/{token}"
