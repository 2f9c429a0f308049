"""The small world the matching tests share: three members, three shifts, two associations.

Members (profiles built directly, so every fact the engine sees is chosen here):
- Anna (Sundsvall): canvassing 2, climate, free Sat 10-16, max 2.
- Bo (Sundsvall): no skills, free Sat 10-16 and Mon evening, max 1.
- Cy (Timrå): travels, canvassing 1, free Sat 10-16, max 1.
Shifts: s_door (Sundsvall, Sat 11-13, needs canvassing, 1 slot, climate), s_stall (Sundsvall, Sat 13-15,
2 slots), s_night (Timrå, Sun 20-22, nobody free).
"""

from __future__ import annotations

import re
from datetime import datetime

import pytest

from survey.extensions import db
from tests.support.world import add_profile, add_shift

SAT = datetime(2030, 8, 17)


@pytest.fixture
def world(load_survey, make_member):
    survey = load_survey()
    anna = make_member("Anna", "Al", email="anna@example.org")
    bo = make_member("Bo", "Ek", email="bo@example.org")
    cy = make_member("Cy", "Tall", association="Timrå", email="cy@example.org")
    sat = [(SAT.replace(hour=10), SAT.replace(hour=16))]
    add_profile(survey, anna, skills={"canvassing": 2}, interests=["climate"], intervals=sat, max_tasks=2)
    add_profile(survey, bo, intervals=sat + [(datetime(2030, 8, 19, 17), datetime(2030, 8, 19, 21))])
    add_profile(survey, cy, skills={"canvassing": 1}, intervals=sat, travels=True)
    sundsvall, timra = anna.association, cy.association
    shifts = {
        "door": add_shift(
            "Dörrknack i Stenstan",
            sundsvall,
            SAT.replace(hour=11),
            SAT.replace(hour=13),
            1,
            required_skills=["canvassing"],
            topic="climate",
        ),
        "stall": add_shift("Bokbord på torget", sundsvall, SAT.replace(hour=13), SAT.replace(hour=15), 2),
        "night": add_shift(
            "Nattaffischering Timrå", timra, datetime(2030, 8, 18, 20), datetime(2030, 8, 18, 22), 1
        ),
    }
    db.session.commit()
    return {"anna": anna, "bo": bo, "cy": cy, "sundsvall": sundsvall, "timra": timra, **shifts}



@pytest.fixture
def publish_via_page(client):
    """publish_via_page(data) -> the response of publishing as an organizer does: the preview first
    (nothing sent), then its confirm button."""

    def publish(data: dict | None = None):
        data = dict(data or {})
        preview = client.post("/admin/match/publish", data=data)
        assert preview.status_code == 200, preview.text
        found = re.search(r'name="fingerprint" value="(\w+)"', preview.text)
        return client.post("/admin/match/publish",
                           data={**data, "confirm": "1", "fingerprint": found.group(1) if found else ""})

    return publish
