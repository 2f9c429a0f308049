"""Networks and home associations from what members told us in the survey.

A member who ticked a network (antiracist, union, climate, women's forum) is put on that network's list.
A member the registry gives no association gets one *proposed* from their postcode; an admin adopts it,
because a wrong guess would send their tasks and data to the wrong organizers.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app

from survey.extensions import db
from survey.models import Member, MemberStatus, NetworkMembership, Organisation, OrganisationKind
from survey.registry import postcodes

# The survey's network option keys -> the network organisations' slugs.
NETWORK_SLUGS: dict[str, str] = {
    "antiracist": "natverk-antirasism",
    "union": "natverk-facklig",
    "climate": "natverk-klimat",
    "womens_forum": "natverk-kvinnoforum",
}


def sync_networks() -> int:
    """Add every member whose latest profile chose a network to its list; returns how many were added.
    Only adds: taking someone off a list is a person's decision, not a survey re-run's."""
    from outreach.match.problem import latest_profiles

    orgs = {
        o.slug: o
        for o in db.session.scalars(
            sa.select(Organisation).where(
                Organisation.kind == OrganisationKind.NETWORK,
                Organisation.slug.in_(list(NETWORK_SLUGS.values())),
            )
        )
    }
    if not orgs:
        return 0
    have = set(
        db.session.execute(sa.select(NetworkMembership.member_id, NetworkMembership.organisation_id)).all()
    )
    added = 0
    for member_id, profile in latest_profiles().items():
        for key in profile.tag_keys("network"):
            org = orgs.get(NETWORK_SLUGS.get(key, ""))
            if org is None or (member_id, org.id) in have:
                continue
            db.session.add(NetworkMembership(member_id=member_id, organisation_id=org.id, source="survey"))
            have.add((member_id, org.id))
            added += 1
    db.session.flush()
    return added


def proposed_associations() -> list[tuple[Member, Organisation]]:
    """Active members without an association whose municipality or postcode points at one (the
    municipality first, as the registry import does: postcode areas do not follow municipal borders)."""
    table = postcodes.load(postcodes.configured_path(current_app.config))
    orgs = {
        o.slug: o
        for o in db.session.scalars(
            sa.select(Organisation).where(Organisation.kind == OrganisationKind.ASSOCIATION)
        )
    }
    members = db.session.scalars(
        sa.select(Member)
        .where(
            Member.association_id.is_(None),
            Member.status == MemberStatus.ACTIVE,
            sa.or_(Member.postcode.is_not(None), Member.municipality.is_not(None)),
        )
        .order_by(Member.last_name, Member.first_name)
    ).all()
    found = []
    for member in members:
        slug = table.by_municipality(member.municipality) or table.by_postcode(member.postcode)
        org = orgs.get(slug or "")
        if org is not None:
            found.append((member, org))
    return found


def adopt(member: Member, association: Organisation) -> None:
    if association.kind is not OrganisationKind.ASSOCIATION:
        raise ValueError("not an association")
    member.association_id = association.id
    db.session.flush()
