"""The demo's campaign month: inside the survey's availability weeks, realistic, and safe to run twice."""

from __future__ import annotations

import random
from collections import Counter
from datetime import datetime

import sqlalchemy as sa

from outreach import demo
from outreach.tasks import vocabulary
from survey.demo import ensure_organisations
from survey.extensions import db
from survey.models import Shift, Task, TaskKind


def test_seed_tasks_is_idempotent_and_inside_the_campaign_window(app, load_survey):
    load_survey()
    orgs = ensure_organisations()
    added = demo.seed_tasks(orgs, random.Random(2030))
    db.session.commit()
    assert 120 <= added <= 200
    assert demo.seed_tasks(orgs, random.Random(2030)) == 0
    db.session.commit()
    shifts = db.session.scalars(sa.select(Shift)).all()
    assert len(shifts) == added
    assert min(s.start_local for s in shifts) >= datetime(2030, 8, 10)
    assert max(s.end_local for s in shifts) <= datetime(2030, 9, 7)

    all_tasks = db.session.scalars(sa.select(Task)).all()
    per_association = Counter(
        t.association.slug if t.association else None for t in all_tasks for _s in t.shifts
    )
    assert set(per_association) == {
        "sundsvall",
        "timra",
        "ange",
        "harnosand",
        "kramfors",
        "solleftea",
        "ornskoldsvik",
        None,
    }
    biggest = {slug for slug, _n in per_association.most_common(2)}
    assert biggest == {"sundsvall", "ornskoldsvik"}
    assert {t.kind for t in all_tasks} >= {
        TaskKind.STALL,
        TaskKind.CANVASSING,
        TaskKind.PHONING,
        TaskKind.EVENT,
        TaskKind.TRAINING,
        TaskKind.SOCIAL_MEDIA,
        TaskKind.PODCAST,
    }
    stalls = [s for t in all_tasks if t.kind is TaskKind.STALL for s in t.shifts]
    assert {(s.start_local.weekday(), s.start_local.hour, s.end_local.hour) for s in stalls} == {
        (5, 10, 12),
        (5, 12, 14),
    }
    known_skills, known_topics = set(vocabulary.DEFAULT_SKILLS), set(vocabulary.DEFAULT_TOPICS)
    for t in all_tasks:
        assert set(t.required_skills + t.preferred_skills) <= known_skills and (
            t.topic is None or t.topic in known_topics
        )
    assert any(t.required_skills for t in all_tasks if t.association_id is None)

    # A shift deleted by hand comes back on the next run; nothing else is duplicated.
    db.session.delete(stalls[0])
    db.session.commit()
    assert demo.seed_tasks(orgs, random.Random(2030)) == 1
