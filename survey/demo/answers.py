"""Plausible synthetic answers for the demo (and for tests that need many answer sheets).

Walks the survey like a member would: only visible sections and questions, answers that fit each type.
"""

from __future__ import annotations

import random
from datetime import datetime
from typing import Any

from survey.extensions import db
from survey.models import Member, Question, RegistryMatch, Submission, Survey
from survey.respond import services as responses
from survey.spec import availability

SKILL_WEIGHTS = (0.55, 0.3, 0.15)  # none, some, experienced


def answer_survey(survey: Survey, member: Member | None, rng: random.Random, now: datetime) -> Submission:
    submission = Submission(survey=survey,
                            respondent_key=f"m:{member.id}" if member else f"demo:{rng.random()}",
                            member=member, registry_match=RegistryMatch.PERSONAL if member else
                            RegistryMatch.ANONYMOUS, survey_version=survey.version, language="sv")
    db.session.add(submission)
    answers: dict[str, Any] = {}
    for section in survey.sections:
        if not responses.condition_holds(section.show_if, answers):
            continue
        for q in section.questions:
            if not q.is_answerable or not responses.condition_holds(q.show_if, answers):
                continue
            value = _value(q, member, rng)
            if value is not None:
                answers[q.key] = value
        responses.save_answers(submission, section.questions, answers)
    consent = any(q.type == "consent" for q in survey.questions())
    responses.submit(submission, now, consent=consent)
    return submission


def _value(q: Question, member: Member | None, rng: random.Random) -> Any:
    if q.type == "consent":
        return True
    if q.prefill and member is not None:
        return responses.prefill(member, [q]).get(q.key)
    if not q.required and rng.random() < 0.25:
        return None
    keys = [o.key for o in q.options]
    if q.type == "skill":
        levels = {k: rng.choices((0, 1, 2), SKILL_WEIGHTS)[0] for k in keys}
        return {k: v for k, v in levels.items() if v} or {keys[0]: 1}
    if q.type == "multiple_choice":
        upper = q.max_choices or min(len(keys), 4)
        lower = max(q.min_choices or 1, 1)
        return sorted(rng.sample(keys, rng.randint(lower, max(lower, upper))), key=keys.index)
    if q.type == "single_choice":
        return rng.choice(keys)
    if q.type == "yes_no":
        return rng.random() < 0.35
    if q.type == "number":
        lo, hi = q.min_value or 0, min(q.max_value if q.max_value is not None else 20, 20)
        return rng.randint(lo, max(lo, hi // 2))
    if q.type == "availability":
        cells = sorted(availability.valid_cells(availability.calendar_from_dict(q.calendar)))
        return sorted(rng.sample(cells, rng.randint(1, max(1, len(cells) // 2))))
    if q.type in ("text", "long_text"):
        return None if rng.random() < 0.7 else rng.choice(["Gärna helger.", "Kan ta med fika!", "Hör av er!"])
    return None
