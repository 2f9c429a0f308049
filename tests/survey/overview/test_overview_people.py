"""A chart's bar leads to the people behind it: the member list, filtered, finds as many as the bar says."""

from __future__ import annotations

import random
import re

from survey.demo.answers import answer_survey
from survey.extensions import db
from survey.models import utcnow
from survey.overview import services as numbers


def test_every_skill_and_week_bar_links_to_a_list_of_that_many(client, login_as, load_survey, make_member):
    survey = load_survey()
    rng = random.Random(7)
    for n in range(12):
        member = make_member(f"P{n}", f"Person{n:02d}", association="Timrå", member_number=f"T{n:03d}")
        answer_survey(survey, member, rng, utcnow())
    db.session.commit()
    login_as("organizer", "Timrå")
    org_id = db.session.get(type(member), member.id).association_id
    page = client.get("/admin/overview/timra")
    assert page.status_code == 200
    skills = numbers.skills_inventory(survey, {org_id})
    weeks = numbers.availability_by_week(survey, {org_id}).weeks
    for wanted, people in [*((f"skill={s.key}", s.people) for s in skills if s.people),
                           *((f"free_week={w.monday.isoformat()}", w.people) for w in weeks if w.people)]:
        links = {h.replace("&amp;", "&") for h in re.findall(r'href="([^"]*)"', page.text) if wanted in h}
        assert links, wanted  # in the chart and in its table: the same address
        found = client.get(links.pop())
        assert re.search(rf">{people} (aktiv medlem|aktiva medlemmar) matchar", found.text), wanted
