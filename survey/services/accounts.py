"""Accounts: creating users and setting passwords."""

from __future__ import annotations

import sqlalchemy as sa

from survey.extensions import db
from survey.models import Role, User


def set_user(email: str, password: str, role: Role) -> User:
    email = email.strip().lower()
    user = db.session.scalar(sa.select(User).where(User.email == email))
    if user is None:
        user = User(email=email, role=role)
        db.session.add(user)
    user.role = role
    user.set_password(password)
    db.session.flush()
    return user
