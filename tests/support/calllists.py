"""Builders for call list tests: a list over an association's members, with callers."""

from __future__ import annotations

import itertools

import sqlalchemy as sa

from outreach.calllists import services
from survey.accounts import services as accounts
from survey.extensions import db
from survey.models import Member, Organisation, OrganisationKind, Role, User, utcnow

PASSWORD = "correct horse battery"
_numbers = itertools.count(900001)


def org(name: str) -> Organisation:
    slug = name.lower().replace("å", "a").replace("ä", "a").replace("ö", "o")
    found = db.session.scalar(sa.select(Organisation).where(Organisation.slug == slug))
    if found is None:
        found = Organisation(slug=slug, name=name, kind=OrganisationKind.ASSOCIATION)
        db.session.add(found)
        db.session.flush()
    return found


def members(association: str, count: int, phone: bool = True, **fields) -> list[Member]:
    home = org(association)
    out = []
    for _ in range(count):
        n = next(_numbers)
        member = Member(member_number=str(n), first_name=f"Person{n}", last_name=association,
                        association=home, phone=f"+4670{n:07d}" if phone else None, **fields)
        db.session.add(member)
        out.append(member)
    db.session.flush()
    return out


def user(email: str, role: Role = Role.CALLER, *associations: str) -> User:
    found = accounts.by_email(email)
    if found is not None:
        return found
    created, _pw = accounts.create_user(email, role, [org(a) for a in associations], PASSWORD)
    return created


def call_list(title: str, association: str, callers: list[User] = (), **fields) -> services.ListInput:
    data = services.ListInput(title=title, associations=[org(association)], **fields)
    saved = services.save_list(data, None, utcnow())
    for caller in callers:
        services.add_caller(saved, caller)
    db.session.commit()
    return saved
