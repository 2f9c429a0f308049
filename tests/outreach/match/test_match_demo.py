"""Matching at demo scale, networks from the survey, and associations proposed from postcodes."""

from __future__ import annotations

import random

import sqlalchemy as sa

from outreach.demo import seed_tasks
from outreach.match import networks
from outreach.match import services as assign
from survey.demo import ensure_members, ensure_organisations
from survey.demo.answers import answer_survey
from survey.extensions import db
from survey.models import Assignment, NetworkMembership, Organisation, Profile, ProfileTag, utcnow
from tests.conftest import login


def test_demo_month_runs_with_sixty_answered_members(sqlite_app, load_survey):
    orgs = ensure_organisations()
    ensure_members(60, orgs)
    survey = load_survey()
    rng = random.Random(7)
    from survey.models import Member

    for member in db.session.scalars(sa.select(Member).order_by(Member.id)):
        answer_survey(survey, member, rng, utcnow())
    assert seed_tasks(orgs, rng) > 100
    db.session.commit()
    run = assign.run(None, None, None)
    db.session.commit()
    assert run.objective > 0 and run.optimal
    proposed = db.session.scalar(sa.select(sa.func.count()).select_from(Assignment))
    assert proposed == run.stats["assigned"] > 0
    # Everyone who chose a network is on its list, once, even after a second sync.
    chosen = db.session.scalar(
        sa.select(sa.func.count()).select_from(ProfileTag).where(ProfileTag.kind == "network")
    )
    on_lists = db.session.scalar(sa.select(sa.func.count()).select_from(NetworkMembership))
    assert chosen > 0 and on_lists == chosen and networks.sync_networks() == 0
    # The district page renders at this scale.
    result = sqlite_app.test_cli_runner().invoke(args=["match", "--all-shifts"])
    assert result.exit_code == 0 and "Objective:" in result.output


def test_network_tags_map_to_network_lists(app, load_survey, make_member):
    from survey.models import OrganisationKind

    climate = Organisation(slug="natverk-klimat", name="Klimatnätverket", kind=OrganisationKind.NETWORK)
    db.session.add(climate)
    survey = load_survey()
    member = make_member()
    answer_survey(survey, member, random.Random(1), utcnow())
    profile = db.session.scalar(sa.select(Profile).where(Profile.member_id == member.id))
    profile.tags = [t for t in profile.tags if t.kind != "network"] + [
        ProfileTag(kind="network", key="climate"),
        ProfileTag(kind="network", key="union"),
    ]
    db.session.commit()
    assert networks.sync_networks() == 1  # no union network organisation exists: skipped
    assert db.session.scalar(sa.select(NetworkMembership.organisation_id)) == climate.id


def test_association_proposed_from_postcode_and_adopted(app, client, make_member, make_user):
    make_member("Sara", "Sund", association="Sundsvall")  # creates the association
    lone = make_member("Lars", "Lös", association=None, postcode="85231")
    admin = make_user("admin")
    login(client, admin)
    page = client.get("/admin/match")
    assert "Föreslagen förening" in page.text and "Lars Lös" in page.text
    sundsvall = db.session.scalar(sa.select(Organisation).where(Organisation.slug == "sundsvall"))
    response = client.post(f"/admin/match/members/{lone.id}/association", data={"association": sundsvall.id})
    assert response.status_code == 302
    db.session.expire_all()
    assert lone.association_id == sundsvall.id
    client.get("/admin/match")  # the flash message, which names him
    assert "Föreslagen förening" not in client.get("/admin/match").text
