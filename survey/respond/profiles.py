"""Deriving the member profile that matching reads from a submission's answers.

Which question feeds which part of the profile is declared in the survey file (`profile:`), and skills,
interests and networks are recognised by their option key prefix ("skill:", "interest:", "network:"),
so a survey can be reworded or translated without touching this code.
"""

from __future__ import annotations

from survey.extensions import db
from survey.models import Profile, ProfileInterval, ProfileSkill, ProfileTag, Submission
from survey.spec import availability

DEFAULT_MAX_TASKS = 1


def _suffix(option_key: str) -> str:
    return option_key.split(":", 1)[1] if ":" in option_key else option_key


def derive(submission: Submission) -> Profile:
    """A new, unsaved Profile from the submission's answers."""
    profile = Profile(submission_id=submission.id, member_id=submission.member_id,
                      max_tasks=DEFAULT_MAX_TASKS)
    for answer in submission.answers:
        q, value = answer.question, answer.value
        if q.profile == "skills":
            for key, level in sorted(value.items()):
                if level > 0:
                    profile.skills.append(ProfileSkill(skill=_suffix(key), level=level))
        elif q.profile in ("interests", "networks"):
            kind = q.profile.removesuffix("s")
            profile.tags.extend(ProfileTag(kind=kind, key=_suffix(k)) for k in value)
        elif q.profile == "availability":
            cal = availability.calendar_from_dict(q.calendar)
            for start, end in availability.intervals(cal, value):
                profile.intervals.append(ProfileInterval(start_local=start, end_local=end))
        elif q.profile == "max_tasks":
            profile.max_tasks = int(_suffix(value)) if isinstance(value, str) else int(value)
        elif q.profile == "travels":
            profile.travels = bool(value)
        elif q.profile == "hours":
            profile.hours_per_week = int(value)
    return profile


def rebuild(submission: Submission) -> Profile:
    existing = db.session.query(Profile).filter_by(submission_id=submission.id).one_or_none()
    if existing is not None:
        db.session.delete(existing)
        db.session.flush()
    profile = derive(submission)
    db.session.add(profile)
    db.session.flush()
    return profile
