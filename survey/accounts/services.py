"""Accounts: creating users, passwords, roles and associations, two-factor login (TOTP).

The verbs here flush and never commit; the view or CLI command that calls them commits once. Errors are
raised as `AccountError` subclasses carrying the offending value, so the web (Swedish) and the CLI
(English) can each word them for their readers.
"""

from __future__ import annotations

import functools
import hmac
import secrets
import time
from collections.abc import Iterable

import pyotp
import sqlalchemy as sa
from werkzeug.security import check_password_hash, generate_password_hash

from survey.extensions import db
from survey.models import Organisation, OrganisationKind, Role, User, utcnow

MIN_PASSWORD_LENGTH = 10
ISSUER = "Kraftkartan"
# Letters and digits that cannot be confused when read aloud or copied from a screen (no 0/O, 1/l/I).
_PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


@functools.cache
def _dummy_hash() -> str:
    """Checked when the e-mail address is unknown, so a wrong address costs as much time as a wrong
    password and response times do not reveal which addresses have accounts. Made on first use: hashing
    costs about 0.2 s, which every `kraftkartan` command paid at start-up."""
    return generate_password_hash("not a real password")


class AccountError(ValueError):
    """Something about an account request that the person asking has to fix."""


class PasswordTooShort(AccountError):
    pass


class AccountExists(AccountError):
    pass


class UnknownAssociation(AccountError):
    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


class AssociationsMismatch(AccountError):
    """Organizers need at least one association; admins and callers take none."""


def normalize_email(email: str) -> str:
    return email.strip().lower()


def by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == normalize_email(email)))


def all_users() -> list[User]:
    return list(db.session.scalars(sa.select(User).order_by(User.role, User.email)))


def all_associations() -> list[Organisation]:
    query = sa.select(Organisation).where(Organisation.kind == OrganisationKind.ASSOCIATION)
    return list(db.session.scalars(query.order_by(Organisation.name)))


def find_associations(names: Iterable[str]) -> list[Organisation]:
    """Associations by name or slug, case-insensitively; UnknownAssociation names the first miss."""
    found: list[Organisation] = []
    for name in names:
        key = name.strip().lower()
        org = db.session.scalar(sa.select(Organisation).where(
            Organisation.kind == OrganisationKind.ASSOCIATION,
            sa.or_(sa.func.lower(Organisation.name) == key, sa.func.lower(Organisation.slug) == key)))
        if org is None:
            raise UnknownAssociation(name)
        if org not in found:
            found.append(org)
    return found


def check_password_policy(password: str) -> None:
    # Length is what matters against guessing; composition rules only make people write passwords down.
    if len(password) < MIN_PASSWORD_LENGTH:
        raise PasswordTooShort(password)


def generate_password() -> str:
    """A random password to hand over once: four groups of four, about 79 bits."""
    return "-".join("".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(4)) for _ in range(4))


def set_user(email: str, password: str, role: Role) -> User:
    """Create an account or set role and password on an existing one (the demo and tests rely on this)."""
    user = by_email(email)
    if user is None:
        user = User(email=normalize_email(email), role=role)
        db.session.add(user)
    user.role = role
    user.set_password(password)
    db.session.flush()
    return user


def create_user(email: str, role: Role, associations: Iterable[Organisation] = (),
                password: str | None = None) -> tuple[User, str]:
    """A new account; returns it with its password (generated when none is given, to be shown once)."""
    if by_email(email) is not None:
        raise AccountExists(normalize_email(email))
    password = password if password is not None else generate_password()
    check_password_policy(password)
    user = User(email=normalize_email(email), role=role, active=True)
    _assign(user, role, list(associations))
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user, password


def set_role(user: User, role: Role, associations: Iterable[Organisation] = ()) -> None:
    _assign(user, role, list(associations))
    db.session.flush()


def _assign(user: User, role: Role, associations: list[Organisation]) -> None:
    # Organizers see exactly their associations; an organizer with none would see nothing and wonder why.
    if (role is Role.ORGANIZER) != bool(associations):
        raise AssociationsMismatch(role.value)
    user.role = role
    user.associations = associations


def reset_password(user: User, password: str | None = None) -> str:
    """Set a new password (generated when none is given) and return it. Existing sessions end with it."""
    password = password if password is not None else generate_password()
    check_password_policy(password)
    user.set_password(password)
    db.session.flush()
    return password


def change_own_password(user: User, current: str, new: str) -> bool:
    """False when `current` is wrong: changing a password needs the old one, not only a session."""
    if not user.check_password(current):
        return False
    reset_password(user, new)
    return True


def set_active(user: User, active: bool) -> None:
    user.active = active
    db.session.flush()


def authenticate(email: str, password: str) -> User | None:
    """The active user with this e-mail and password, else None, in about the same time either way."""
    user = by_email(email)
    if user is None:
        check_password_hash(_dummy_hash(), password)
        return None
    if not user.check_password(password) or not user.active:
        return None
    return user


def record_login(user: User) -> None:
    user.last_login_at = utcnow()
    db.session.flush()


# -- two-factor login ------------------------------------------------------------------------------

def new_totp_secret() -> str:
    return pyotp.random_base32()


def totp_uri(user: User, secret: str) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def totp_step(secret: str | None, code: str, now: float | None = None) -> int | None:
    """The 30-second step whose code this is, now or one step either side (phone clocks drift); None if
    it is none of them."""
    code = "".join(code.split())
    if not secret or len(code) != 6 or not code.isdigit():
        return None
    totp, now = pyotp.TOTP(secret), time.time() if now is None else now
    for offset in (0, -1, 1):
        moment = now + offset * totp.interval
        if hmac.compare_digest(totp.at(moment), code):
            return int(moment // totp.interval)
    return None


def use_totp(user: User, code: str, now: float | None = None) -> bool:
    """Accept a code once: it must be right and newer than the last code this user logged in with."""
    step = totp_step(user.totp_secret, code, now)
    if step is None or (user.totp_last_step is not None and step <= user.totp_last_step):
        return False
    user.totp_last_step = step
    db.session.flush()
    return True


def enable_totp(user: User, secret: str, code: str) -> bool:
    """Turn two-factor login on only once the person has shown their app produces the right codes."""
    step = totp_step(secret, code)
    if step is None:
        return False
    user.totp_secret, user.totp_last_step = secret, step
    db.session.flush()
    return True


def disable_totp(user: User) -> None:
    user.totp_secret, user.totp_last_step = None, None
    db.session.flush()
