"""The organizers' overview in numbers: response rate, skills, interests, people free per campaign week.

One function per metric, each for a survey and a scope: a set of association ids, or None for the whole
district. Everything is counted in SQL over the derived profile rows (survey.models.profile), so a page
costs a handful of queries however many members there are.

Who counts, and why:
- Submitted answer sheets only: a draft may still change and says nothing yet.
- People, not sheets: a member who answered through both a personal and the open link counts once (a
  sheet tied to no member is its own person).
- In an association's scope only sheets tied to an active member of it. Open-link sheets tied to no
  member belong to no association, so they count only in the district.
- Members who have left are neither counted nor part of the denominator: they are not in the campaign.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from survey.extensions import db
from survey.models import (
    Member,
    MemberStatus,
    Organisation,
    OrganisationKind,
    Profile,
    ProfileInterval,
    ProfileSkill,
    ProfileTag,
    Question,
    Submission,
    SubmissionStatus,
    Survey,
)
from survey.spec import availability

if TYPE_CHECKING:
    import pandas as pd

Text = dict[str, str]
Scope = Collection[int] | None  # association ids; None: the whole district

# One id per person: the member, or for a sheet tied to no member the (negated) sheet itself.
PERSON = sa.case((Submission.member_id.is_not(None), Submission.member_id), else_=-Submission.id)


@dataclass(frozen=True)
class ResponseRate:
    members: int  # active members in scope
    responded: int  # of them, with a submitted answer sheet
    started: int  # of them, with only an unsent draft
    unlinked: int = 0  # submitted open-link sheets tied to no member (district only)

    @property
    def rate(self) -> float:
        return self.responded / self.members if self.members else 0.0

    @property
    def percent(self) -> int:
        """Rounded half up, the same on the page, in the chart and in the export."""
        return int(self.rate * 100 + 0.5)

    @property
    def people(self) -> int:
        """Everyone whose answers the other numbers count."""
        return self.responded + self.unlinked


@dataclass(frozen=True)
class AssociationRate:
    slug: str
    name: str
    rate: ResponseRate


@dataclass(frozen=True)
class SkillCount:
    key: str  # "canvassing"
    label: Text
    some: int
    experienced: int

    @property
    def people(self) -> int:
        return self.some + self.experienced


@dataclass(frozen=True)
class TagCount:
    key: str  # "climate"
    label: Text
    people: int


@dataclass(frozen=True)
class WeekCount:
    monday: date
    label: Text
    people: int  # free at some time that week
    per_slot: tuple[int, ...]  # in the order of WeeklyAvailability.slots


@dataclass(frozen=True)
class WeeklyAvailability:
    slots: tuple[tuple[str, Text], ...]  # (key, label)
    weeks: tuple[WeekCount, ...]


def _scoped(stmt: sa.Select, survey: Survey, associations: Scope) -> sa.Select:
    """Restrict a select that already joins Submission to the submitted sheets that count in scope."""
    stmt = stmt.where(Submission.survey_id == survey.id, Submission.status == SubmissionStatus.SUBMITTED)
    if associations is None:
        stmt = stmt.outerjoin(Member, Submission.member_id == Member.id)
        return stmt.where(sa.or_(Submission.member_id.is_(None), Member.status == MemberStatus.ACTIVE))
    if not associations:
        return stmt.where(sa.false())
    return stmt.join(Member, Submission.member_id == Member.id).where(
        Member.status == MemberStatus.ACTIVE, Member.association_id.in_(associations))


def _members_in(associations: Scope) -> list[sa.ColumnElement[bool]]:
    where = [Member.status == MemberStatus.ACTIVE]
    if associations is not None:
        where.append(Member.association_id.in_(associations) if associations else sa.false())
    return where


def response_rate(survey: Survey, associations: Scope = None) -> ResponseRate:
    members = db.session.scalar(
        sa.select(sa.func.count()).select_from(Member).where(*_members_in(associations)))
    submitted = sa.case((Submission.status == SubmissionStatus.SUBMITTED, Submission.member_id))
    responded, touched = db.session.execute(
        sa.select(sa.func.count(sa.distinct(submitted)), sa.func.count(sa.distinct(Submission.member_id)))
        .join(Member, Submission.member_id == Member.id)
        .where(Submission.survey_id == survey.id, *_members_in(associations))).one()
    unlinked = 0
    if associations is None:
        unlinked = db.session.scalar(
            sa.select(sa.func.count()).select_from(Submission)
            .where(Submission.survey_id == survey.id, Submission.status == SubmissionStatus.SUBMITTED,
                   Submission.member_id.is_(None)))
    return ResponseRate(members or 0, responded, touched - responded, unlinked or 0)


def response_rates_by_association(survey: Survey, associations: Scope = None) -> list[AssociationRate]:
    """Each association's response rate, in name order (two grouped queries, however many associations)."""
    query = sa.select(Organisation).where(Organisation.kind == OrganisationKind.ASSOCIATION)
    if associations is not None:
        query = query.where(Organisation.id.in_(associations) if associations else sa.false())
    orgs = db.session.scalars(query.order_by(Organisation.name)).all()
    members = dict(db.session.execute(
        sa.select(Member.association_id, sa.func.count()).where(*_members_in(associations))
        .group_by(Member.association_id)).all())
    submitted = sa.case((Submission.status == SubmissionStatus.SUBMITTED, Submission.member_id))
    answered = {a: (r, t) for a, r, t in db.session.execute(
        sa.select(Member.association_id, sa.func.count(sa.distinct(submitted)),
                  sa.func.count(sa.distinct(Submission.member_id)))
        .join(Member, Submission.member_id == Member.id)
        .where(Submission.survey_id == survey.id, *_members_in(associations))
        .group_by(Member.association_id))}
    rows = []
    for org in orgs:
        responded, touched = answered.get(org.id, (0, 0))
        rows.append(AssociationRate(org.slug, org.name,
                                    ResponseRate(members.get(org.id, 0), responded, touched - responded)))
    return rows


def _questions(survey: Survey, profile: str) -> list[Question]:
    return list(db.session.scalars(
        sa.select(Question).where(Question.survey_id == survey.id, Question.profile == profile)
        .options(selectinload(Question.options)).order_by(Question.id)))


def _option_labels(survey: Survey, profile: str) -> dict[str, Text]:
    """Option key suffix ("canvassing") -> label, in survey order: what the profile rows call them."""
    return {o.key.split(":", 1)[-1]: o.label for q in _questions(survey, profile) for o in q.options}


def _in_order(labels: dict[str, Text], counts: dict[str, Any]) -> list[tuple[str, Text]]:
    """Every option (so that a gap shows as a zero), then keys the survey no longer lists."""
    return [*labels.items(), *((k, {"sv": k}) for k in counts if k not in labels)]


def skills_inventory(survey: Survey, associations: Scope = None) -> list[SkillCount]:
    """People per skill, by their level ("some" 1, "experienced" 2); most people first, then survey order."""
    per_person = _scoped(
        sa.select(ProfileSkill.skill, PERSON.label("person"), sa.func.max(ProfileSkill.level).label("level"))
        .select_from(ProfileSkill).join(Profile, ProfileSkill.profile_id == Profile.id)
        .join(Submission, Profile.submission_id == Submission.id), survey, associations,
    ).group_by(ProfileSkill.skill, PERSON).subquery()
    counts = {skill: (some, exp) for skill, some, exp in db.session.execute(
        sa.select(per_person.c.skill, sa.func.count(sa.case((per_person.c.level == 1, 1))),
                  sa.func.count(sa.case((per_person.c.level >= 2, 1))))
        .group_by(per_person.c.skill))}
    labels = _option_labels(survey, "skills")
    rows = [SkillCount(key, label, *counts.get(key, (0, 0))) for key, label in _in_order(labels, counts)]
    return sorted(rows, key=lambda r: -r.people)  # stable: ties keep the survey's order


def interests(survey: Survey, associations: Scope = None) -> list[TagCount]:
    """People per interest they want to work on; most people first, then survey order."""
    counts = dict(db.session.execute(_scoped(
        sa.select(ProfileTag.key, sa.func.count(sa.distinct(PERSON)))
        .select_from(ProfileTag).join(Profile, ProfileTag.profile_id == Profile.id)
        .join(Submission, Profile.submission_id == Submission.id)
        .where(ProfileTag.kind == "interest"), survey, associations).group_by(ProfileTag.key)).all())
    labels = _option_labels(survey, "interests")
    rows = [TagCount(key, label, counts.get(key, 0)) for key, label in _in_order(labels, counts)]
    return sorted(rows, key=lambda r: -r.people)


def _minute_of_day(column: Any) -> sa.ColumnElement[Any]:
    return sa.extract("hour", column) * 60 + sa.extract("minute", column)


def _minutes(t: time) -> int:
    return t.hour * 60 + t.minute


def availability_by_week(survey: Survey, associations: Scope = None) -> WeeklyAvailability | None:
    """Distinct people free at some time in each campaign week, and in each time slot of it.

    None when the survey asks no availability. Counted from the profile's concrete intervals (local time,
    each within one day): an interval counts for a slot when it falls on one of the slot's days and
    overlaps its hours. Week and slot are computed per interval in SQL and grouped once.
    """
    questions = _questions(survey, "availability")
    if not questions:
        return None
    cal = availability.calendar_from_dict(questions[0].calendar)
    weeks = availability.campaign_weeks(cal)
    ends = [datetime.combine(w.monday + timedelta(days=7), time()) for w in weeks]
    start, end = ProfileInterval.start_local, ProfileInterval.end_local
    week_index = sa.case(*((start < e, i) for i, e in enumerate(ends[:-1])), else_=len(ends) - 1)
    dow = sa.extract("dow", start)  # 0 = Sunday on both backends
    slot_columns = [
        sa.case((sa.and_(dow.in_([(d + 1) % 7 for d in slot.days]),
                         _minute_of_day(start) < _minutes(slot.end),
                         _minute_of_day(end) > _minutes(slot.start)), 1), else_=0).label(f"s{i}")
        for i, slot in enumerate(cal.slots)
    ]
    first = datetime.combine(weeks[0].monday, time())
    # Subqueries, so that each GROUP BY names a column (PostgreSQL would not match a repeated CASE whose
    # bound parameters are numbered differently), and per person and week first: one small grouping is
    # cheaper than a COUNT(DISTINCT) per slot (about half the time on SQLite with 600 members).
    per_interval = _scoped(
        sa.select(week_index.label("week"), PERSON.label("person"), *slot_columns)
        .select_from(ProfileInterval).join(Profile, ProfileInterval.profile_id == Profile.id)
        .join(Submission, Profile.submission_id == Submission.id)
        .where(start >= first, start < ends[-1]), survey, associations).subquery()
    slots = range(len(cal.slots))
    per_person = (
        sa.select(per_interval.c.week, *(sa.func.max(per_interval.c[f"s{i}"]).label(f"s{i}") for i in slots))
        .group_by(per_interval.c.week, per_interval.c.person).subquery())
    rows = {row[0]: tuple(int(n or 0) for n in row[1:]) for row in db.session.execute(
        sa.select(per_person.c.week, sa.func.count(), *(sa.func.sum(per_person.c[f"s{i}"]) for i in slots))
        .group_by(per_person.c.week))}
    empty = (0,) * (len(cal.slots) + 1)
    return WeeklyAvailability(
        slots=tuple((s.key, s.label) for s in cal.slots),
        weeks=tuple(WeekCount(w.monday, w.label, rows.get(i, empty)[0], tuple(rows.get(i, empty)[1:]))
                    for i, w in enumerate(weeks)))


def overview_frame(survey: Survey, associations: Scope = None, lang: str = "sv") -> pd.DataFrame:
    """Every number of the overview in one long table (metric, key, label, series, value) for export.

    Long rather than wide so one sheet holds metrics of different shapes and a pivot table can reshape it.
    """
    import pandas as pd  # here, not at the top: the app and its CLI start without pandas

    def t(text: Text) -> str:
        return text.get(lang) or text.get("sv") or ""

    rate = response_rate(survey, associations)
    rows: list[tuple[str, str, str, str, Any]] = [
        ("response_rate", "members", "", "", rate.members),
        ("response_rate", "responded", "", "", rate.responded),
        ("response_rate", "started", "", "", rate.started),
        ("response_rate", "rate_percent", "", "", rate.percent),
    ]
    if associations is None:
        rows.append(("response_rate", "unlinked", "", "", rate.unlinked))
    for s in skills_inventory(survey, associations):
        rows += [("skills", s.key, t(s.label), series, n)
                 for series, n in (("some", s.some), ("experienced", s.experienced), ("people", s.people))]
    rows += [("interests", i.key, t(i.label), "people", i.people) for i in interests(survey, associations)]
    weekly = availability_by_week(survey, associations)
    if weekly is not None:
        for w in weekly.weeks:
            rows.append(("availability", w.monday.isoformat(), t(w.label), "any", w.people))
            rows += [("availability", w.monday.isoformat(), t(w.label), key, n)
                     for (key, _label), n in zip(weekly.slots, w.per_slot, strict=True)]
    return pd.DataFrame.from_records(rows, columns=["metric", "key", "label", "series", "value"])
