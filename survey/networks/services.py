"""Queries over the networks' lists, always within what the user may see.

A network is district-wide, but its members are not: an organizer sees (and counts) only the members of
their own associations on a list, as everywhere else in the registry. Erased members are gone from the
lists (erasure deletes their memberships); members who asked not to be contacted stay, marked, so that
nobody adds them again by hand and everyone sees why they are not called.

Nothing here commits; the views and commands do. pandas loads only in `export_frame`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from survey.core.access import scope_members
from survey.core.contacts import format_phone
from survey.extensions import db
from survey.models import Member, MemberStatus, NetworkMembership, Organisation, OrganisationKind, User

if TYPE_CHECKING:
    import pandas as pd

STATUSES = ("active", "left", "all")
EXPORT_COLUMNS = [
    "member_number",
    "first_name",
    "last_name",
    "association",
    "phone",
    "email",
    "status",
    "do_not_contact",
]


def networks() -> list[Organisation]:
    """Every network, by name."""
    query = sa.select(Organisation).where(Organisation.kind == OrganisationKind.NETWORK)
    return list(db.session.scalars(query.order_by(Organisation.name)))


def network_by_slug(slug: str) -> Organisation | None:
    """The network with this slug; None for an unknown slug or an organisation that is no network."""
    return db.session.scalar(
        sa.select(Organisation).where(
            Organisation.slug == slug, Organisation.kind == OrganisationKind.NETWORK
        )
    )


def _on_list(network_id: int | sa.ColumnElement) -> sa.ColumnElement[bool]:
    return Member.id.in_(
        sa.select(NetworkMembership.member_id).where(NetworkMembership.organisation_id == network_id)
    )


def members_query(
    user: User | None, network: Organisation, *, status: str = "active", association_id: int | None = None
) -> sa.Select:
    """A select of the network's members that `user` may see (None: the command line, everyone), by name.
    `status`: "active" (the default: those who left are rarely who one wants to reach), "left" or "all"."""
    query = sa.select(Member).options(selectinload(Member.association)).where(_on_list(network.id))
    if user is not None:
        query = scope_members(query, user)
    if status in ("active", "left"):
        query = query.where(Member.status == MemberStatus(status))
    if association_id is not None:
        query = query.where(Member.association_id == association_id)
    return query.order_by(Member.last_name, Member.first_name, Member.member_number)


def counts(user: User | None, *, status: str = "active") -> list[tuple[Organisation, int]]:
    """Every network with how many of its members `user` may see: one query, networks without any
    visible member included (with 0), so an organizer sees the list exists but not who is on it."""
    members = sa.select(Member.id)
    if user is not None:
        members = scope_members(members, user)
    if status in ("active", "left"):
        members = members.where(Member.status == MemberStatus(status))
    joined = sa.and_(
        NetworkMembership.organisation_id == Organisation.id, NetworkMembership.member_id.in_(members)
    )
    query = (
        sa.select(Organisation, sa.func.count(NetworkMembership.id))
        .outerjoin(NetworkMembership, joined)
        .where(Organisation.kind == OrganisationKind.NETWORK)
        .group_by(Organisation.id)
        .order_by(Organisation.name)
    )
    return [(org, int(n)) for org, n in db.session.execute(query)]


def export_rows(members: list[Member], dnc_label: str) -> list[dict[str, str]]:
    """One row per member, phone in national format (so it never looks like a formula), do-not-contact
    marked with `dnc_label` rather than left out: the list is also who to leave alone."""
    return [
        {
            "member_number": m.member_number,
            "first_name": m.first_name,
            "last_name": m.last_name,
            "association": m.association.name if m.association else "",
            "phone": format_phone(m.phone),
            "email": m.email or "",
            "status": m.status.value,
            "do_not_contact": dnc_label if m.do_not_contact else "",
        }
        for m in members
    ]


def export_frame(members: list[Member], dnc_label: str) -> pd.DataFrame:
    """The rows as a frame for survey.tabular, the one formula-safe writer."""
    import pandas as pd

    return pd.DataFrame(export_rows(members, dnc_label), columns=EXPORT_COLUMNS)
