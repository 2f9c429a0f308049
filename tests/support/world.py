"""Builders for matching tests: a submitted profile and a one-shift task, with every fact chosen by the test.

Profiles are built directly rather than through survey answers, so what the engine sees is exactly what
the test says (the survey-to-profile path has its own tests).
"""

from __future__ import annotations

from datetime import datetime

from survey.extensions import db
from survey.models import (
    Member,
    Organisation,
    Profile,
    ProfileInterval,
    ProfileSkill,
    ProfileTag,
    RegistryMatch,
    Shift,
    Submission,
    SubmissionStatus,
    Survey,
    Task,
    TaskKind,
    utcnow,
)


def add_profile(survey: Survey, member: Member, *, skills: dict[str, int] | None = None, interests=(),
                intervals=(), max_tasks: int = 1, travels: bool = False) -> Profile:
    """A submitted answer sheet for `member` whose profile says exactly this."""
    sub = Submission(survey=survey, respondent_key=f"m:{member.id}", member=member,
                     registry_match=RegistryMatch.PERSONAL, status=SubmissionStatus.SUBMITTED,
                     submitted_at=utcnow())
    db.session.add(sub)
    db.session.flush()
    profile = Profile(submission_id=sub.id, member_id=member.id, max_tasks=max_tasks, travels=travels)
    profile.skills = [ProfileSkill(skill=k, level=v) for k, v in (skills or {}).items()]
    profile.tags = [ProfileTag(kind="interest", key=k) for k in interests]
    profile.intervals = [ProfileInterval(start_local=a, end_local=b) for a, b in intervals]
    db.session.add(profile)
    return profile


def add_shift(title: str, org: Organisation | None, start: datetime, end: datetime, slots: int,
              **task) -> Shift:
    """A door-knocking task at "Torget" with one shift; extra keywords go to the Task."""
    row = Task(title=title, kind=TaskKind.CANVASSING, association_id=org.id if org else None, place="Torget",
               **task)
    row.shifts = [Shift(start_local=start, end_local=end, slots=slots)]
    db.session.add(row)
    db.session.flush()
    return row.shifts[0]
