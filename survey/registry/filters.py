"""Target filters over the member registry: who a call list (or the member list) is about.

A filter is plain data, so it can be saved with a list and evaluated again later, when members' data has
changed: ``{"kind": "skill", "skill": "canvassing", "level": 2}``. Filters combine with AND. Every function
here builds SQL (a condition on ``Member.id``, or a select of member ids); none runs a query except
``count``, and none knows about Flask views.

Kinds (parameters in brackets):

- ``association`` [ids]: the member's association is one of these
- ``answered`` [survey]: has submitted survey S; ``not_answered`` [survey]: has not
- ``started`` [survey]: has a draft of survey S but did not submit it
- ``joined_within`` [days]: joined the party within the last N days
- ``open_ask``: has a proposed or published task not yet answered (shift not over)
- ``declined``: has declined a task
- ``skill`` [skill, level]: a submitted answer sheet gives skill X at level >= L (1 some, 2 experienced)
- ``interest`` [key]: interest Y (``climate``)
- ``free_week`` [week]: free some time in the campaign week starting on that Monday (``2030-08-12``)
- ``network`` [organisation]: on network N's list
- ``wants_phone``: chose "phone call" as the survey's contact preference
- ``not_reached`` [days]: no call on any list reached them in the last N days (0: never reached)
- ``never_called``: never called on any list
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from survey.models import (
    Answer,
    Assignment,
    AssignmentStatus,
    Call,
    Member,
    MemberStatus,
    NetworkMembership,
    Profile,
    ProfileInterval,
    ProfileSkill,
    ProfileTag,
    Question,
    Shift,
    Submission,
    SubmissionStatus,
)
from survey.spec.services import STOCKHOLM

KINDS = ("association", "answered", "not_answered", "started", "joined_within", "open_ask", "declined",
         "skill", "interest", "free_week", "network", "wants_phone", "not_reached", "never_called")
CONTACT_QUESTION = "contact_method"  # the default survey's contact preference (survey/surveys/default.yaml)
PHONE_OPTION = "contact:phone"
REACHED = "reached"  # the call outcome that means someone spoke with the member


class FilterError(ValueError):
    """A filter that cannot be evaluated: unknown kind or a missing parameter."""


def _submitted_profiles() -> sa.Select:
    return (sa.select(Profile.id).join(Submission, Profile.submission_id == Submission.id)
            .where(Submission.status == SubmissionStatus.SUBMITTED))


def _int(spec: dict[str, Any], key: str) -> int:
    try:
        return int(spec[key])
    except (KeyError, TypeError, ValueError):
        raise FilterError(f"{spec.get('kind')}: {key} is missing or not a number") from None


def _association(spec: dict[str, Any], now: datetime) -> sa.ColumnElement[bool]:
    return Member.association_id.in_([int(i) for i in spec.get("ids", [])])


def _submission(spec: dict[str, Any], now: datetime) -> sa.ColumnElement[bool]:
    """answered / not_answered / started: one query, so the three cannot disagree on what "has" means."""
    kind = spec.get("kind")
    status = SubmissionStatus.DRAFT if kind == "started" else SubmissionStatus.SUBMITTED
    has = Member.id.in_(sa.select(Submission.member_id).where(
        Submission.survey_id == _int(spec, "survey"), Submission.status == status,
        Submission.member_id.is_not(None)))
    return sa.not_(has) if kind == "not_answered" else has


def _joined_within(spec: dict[str, Any], now: datetime) -> sa.ColumnElement[bool]:
    return Member.joined_on >= (now.date() - timedelta(days=_int(spec, "days")))


def _asks(spec: dict[str, Any], now: datetime) -> sa.ColumnElement[bool]:
    open_ask = spec.get("kind") == "open_ask"
    statuses = ((AssignmentStatus.PROPOSED, AssignmentStatus.PUBLISHED) if open_ask
                else (AssignmentStatus.DECLINED,))
    query = sa.select(Assignment.member_id).where(Assignment.status.in_(statuses))
    if open_ask:
        # Shifts are local wall-clock times; an ask for a shift that is over is no longer open.
        local_now = now.astimezone(STOCKHOLM).replace(tzinfo=None)
        query = query.join(Shift, Assignment.shift_id == Shift.id).where(Shift.start_local >= local_now)
    return Member.id.in_(query)


def _skill(spec: dict[str, Any], now: datetime) -> sa.ColumnElement[bool]:
    level = _int(spec, "level") if spec.get("level") not in (None, "") else 1
    return Member.id.in_(
        sa.select(Profile.member_id).join(ProfileSkill, ProfileSkill.profile_id == Profile.id)
        .where(Profile.id.in_(_submitted_profiles()), ProfileSkill.skill == spec["skill"],
               ProfileSkill.level >= level))


def _interest(spec: dict[str, Any], now: datetime) -> sa.ColumnElement[bool]:
    return Member.id.in_(
        sa.select(Profile.member_id).join(ProfileTag, ProfileTag.profile_id == Profile.id)
        .where(Profile.id.in_(_submitted_profiles()), ProfileTag.kind == "interest",
               ProfileTag.key == spec["key"]))


def _free_week(spec: dict[str, Any], now: datetime) -> sa.ColumnElement[bool]:
    try:
        monday = date.fromisoformat(str(spec["week"]))
    except (KeyError, ValueError):
        raise FilterError("free_week: week is missing or not a date") from None
    start = datetime.combine(monday, datetime.min.time())
    return Member.id.in_(
        sa.select(Profile.member_id).join(ProfileInterval, ProfileInterval.profile_id == Profile.id)
        .where(Profile.id.in_(_submitted_profiles()), ProfileInterval.start_local >= start,
               ProfileInterval.start_local < start + timedelta(days=7)))


def _network(spec: dict[str, Any], now: datetime) -> sa.ColumnElement[bool]:
    return Member.id.in_(sa.select(NetworkMembership.member_id)
                         .where(NetworkMembership.organisation_id == _int(spec, "organisation")))


def _wants_phone(spec: dict[str, Any], now: datetime) -> sa.ColumnElement[bool]:
    # The answer is JSON (a string for single choice, a list for multiple): its text holds the quoted key
    # on SQLite and PostgreSQL alike.
    return Member.id.in_(
        sa.select(Submission.member_id).join(Answer, Answer.submission_id == Submission.id)
        .join(Question, Answer.question_id == Question.id)
        .where(Submission.status == SubmissionStatus.SUBMITTED, Question.key == CONTACT_QUESTION,
               sa.cast(Answer.value, sa.Text).like(f'%"{PHONE_OPTION}"%')))


def _not_reached(spec: dict[str, Any], now: datetime) -> sa.ColumnElement[bool]:
    days = _int(spec, "days")
    reached = sa.select(Call.member_id).where(Call.outcome == REACHED)
    if days > 0:
        reached = reached.where(Call.at >= now - timedelta(days=days))
    return sa.not_(Member.id.in_(reached))


def _never_called(spec: dict[str, Any], now: datetime) -> sa.ColumnElement[bool]:
    return sa.not_(Member.id.in_(sa.select(Call.member_id)))


# One small builder per kind, so a new kind is one function and one line here (and in KINDS).
_BUILDERS = {
    "association": _association, "answered": _submission, "not_answered": _submission,
    "started": _submission, "joined_within": _joined_within, "open_ask": _asks, "declined": _asks,
    "skill": _skill, "interest": _interest, "free_week": _free_week, "network": _network,
    "wants_phone": _wants_phone, "not_reached": _not_reached, "never_called": _never_called,
}


def condition(spec: dict[str, Any], now: datetime) -> sa.ColumnElement[bool]:
    """One filter as a condition on Member. `now` (aware) anchors "within N days"."""
    builder = _BUILDERS.get(spec.get("kind"))
    if builder is None:
        raise FilterError(f"unknown filter kind: {spec.get('kind')!r}")
    return builder(spec, now)


def base_condition(association_ids: Collection[int] | None) -> sa.ColumnElement[bool]:
    """Members anyone may put on a list at all: still members, of the given associations (None: any)."""
    active = Member.status == MemberStatus.ACTIVE
    if association_ids is None:
        return active
    return sa.and_(active, Member.association_id.in_(list(association_ids)))


def conditions(filters: Iterable[dict[str, Any]], association_ids: Collection[int] | None,
               now: datetime) -> list[sa.ColumnElement[bool]]:
    """The WHERE clauses on Member for these filters, ANDed by whoever uses them."""
    return [base_condition(association_ids), *(condition(f, now) for f in filters)]


def member_ids(filters: Iterable[dict[str, Any]], association_ids: Collection[int] | None,
               now: datetime) -> sa.Select:
    """SELECT members.id of every active member in the associations that every filter matches."""
    return sa.select(Member.id).where(*conditions(filters, association_ids, now))


def count(session, filters: list[dict[str, Any]], association_ids: Collection[int] | None,
          now: datetime) -> tuple[int, list[int]]:
    """(members matching all filters, members matching each filter alone) — the preview before saving."""
    def n(query: sa.Select) -> int:
        return session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0

    each = [n(member_ids([f], association_ids, now)) for f in filters]
    return n(member_ids(filters, association_ids, now)), each


def validate(filters: Iterable[dict[str, Any]], now: datetime) -> list[dict[str, Any]]:
    """The filters, checked by building each once; FilterError for the first that cannot be built."""
    checked = []
    for spec in filters:
        condition(spec, now)
        checked.append(dict(spec))
    return checked
