"""Caller accounts made on the spot, for someone who turned up at the phone bank.

The organizer types an e-mail address; the account gets an unusable random password and a one-time link
to choose one. Only the link's SHA-256 is stored (like survey links): it is shown once, works once, and
expires after `LINK_DAYS`.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from outreach.calllists import services
from survey.accounts import services as accounts
from survey.core import audit
from survey.extensions import db
from survey.models import CallList, PasswordLink, Role, User
from survey.respond import links

LINK_DAYS = 7
TOKEN_BYTES = 24


def link_url(token: str) -> str:
    return f"{current_app.config['PUBLIC_BASE_URL'].rstrip('/')}/calls/welcome/{token}"


def create_caller(email: str, call_list: CallList, by: User, now: datetime) -> tuple[User, str]:
    """A new caller account on `call_list`, and the token of its one-time password link."""
    user, _unused = accounts.create_user(email, Role.CALLER, [], secrets.token_urlsafe(32))
    services.add_caller(call_list, user)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    db.session.add(PasswordLink(user_id=user.id, token_hash=links.hash_token(token), created_at=now,
                                expires_at=now + timedelta(days=LINK_DAYS)))
    audit.record(by, "create_caller", f"user:{user.id}", call_list=call_list.id)
    db.session.flush()
    return user, token


def by_token(token: str, now: datetime) -> PasswordLink | None:
    """The unused, unexpired link for a token; None for anything else (answered with 404)."""
    if not token or len(token) > 64:
        return None
    query = sa.select(PasswordLink).where(PasswordLink.token_hash == links.hash_token(token))
    link = db.session.scalar(query)
    if link is None or link.used_at is not None or link.expires_at <= now or not link.user.active:
        return None
    return link


def set_password(link: PasswordLink, password: str, now: datetime) -> User:
    """Raises accounts.PasswordTooShort; the link is spent once the password is set."""
    accounts.reset_password(link.user, password)
    link.used_at = now
    db.session.flush()
    return link.user
