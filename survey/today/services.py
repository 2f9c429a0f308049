"""What is waiting for an organizer (their associations) or the district (every association): the figures
of the start page.

Every figure is counted for all associations in scope at once (GROUP BY the association), so the page
costs one query per figure however many associations the district has. The figures reuse the queries the
pages they link to use (survey.registry.filters, survey.core.access, the call list queue), so the start
page never promises something the next page does not show.

Scoping follows the overview: an item belongs to the association of its member (asks, drafts, answers to
review) or of its task (shifts). What belongs to no association (district-wide tasks, open-link answers
tied to no member) is only the district's: admins see it in a row of its own, organizers not at all.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from survey.core import access
from survey.extensions import db
from survey.i18n import STOCKHOLM
from survey.invitations import services as invitations
from survey.models import (
    Assignment,
    AssignmentStatus,
    Member,
    Shift,
    Survey,
    Task,
    User,
)
from survey.registry import filters

WINDOW = timedelta(days=7)  # from now: always reaches past this Sunday, so "this week" is never cut short


@dataclass
class WaitingList:
    """A call list with members who could be called right now."""

    id: int
    title: str
    waiting: int


@dataclass
class Figures:
    """One association's (or the district's own) items; `association_id` None: belongs to no association."""

    association_id: int | None
    name: str
    slug: str = ""
    open_shifts: int = 0  # shifts in the window with fewer accepted people than places
    open_places: int = 0  # the places missing on those shifts
    first_open: date | None = None  # the day of the first of them: which week the match page opens on
    open_asks: int = 0  # members asked for a shift (proposed or published) who have not answered
    first_ask: date | None = None  # the day of the first shift they are asked for
    started: int = 0  # members with an unsent draft of the current survey
    lists: list[WaitingList] = field(default_factory=list)
    to_review: int = 0  # open-link answers waiting on the review page
    corrections: int = 0  # contact details members corrected in the survey, waiting for a decision

    @property
    def waiting_lists(self) -> int:
        return len(self.lists)


@dataclass
class Today:
    monday: date  # this week, Monday to Sunday, in the district's time zone
    until: datetime  # the end of the window for shifts (local wall-clock time)
    survey: Survey | None  # the survey "started" counts drafts of: the newest open one
    rows: list[Figures]  # one per association in scope, by name
    district: Figures | None = None  # admins: what belongs to no association
    total: Figures | None = None  # admins: the whole district

    @property
    def week(self) -> int:
        return self.monday.isocalendar().week

    @property
    def sunday(self) -> date:
        return self.monday + timedelta(days=6)


def today(user: User, now: datetime) -> Today:
    """The start page's figures for `user` at `now` (aware)."""
    allowed = access.association_ids(user)
    local_now = now.astimezone(STOCKHOLM).replace(tzinfo=None)
    until = local_now + WINDOW
    survey = invitations.default_survey(now)
    rows = {org.id: Figures(org.id, org.name, org.slug) for org in access.visible_associations(user)}
    district = Figures(None, "") if allowed is None else None

    def row(association_id: int | None) -> Figures | None:
        return rows.get(association_id) if association_id is not None else district

    for association_id, shifts, places, first in _open_shifts(allowed, local_now, until):
        if (r := row(association_id)) is not None:
            r.open_shifts, r.open_places, r.first_open = shifts, int(places or 0), first.date()
    for association_id, n, first in _open_asks(allowed, now, local_now):
        if (r := row(association_id)) is not None:
            r.open_asks, r.first_ask = n, first.date()
    if survey is not None:
        for association_id, n in _members_per_association([{"kind": "started", "survey": survey.id}],
                                                          allowed, now):
            if (r := row(association_id)) is not None:
                r.started = n
    for association_id, n in _to_review(user):
        if (r := row(association_id)) is not None:
            r.to_review = n
    from survey.registry import corrections

    for association_id, n in corrections.pending_by_association(allowed).items():
        if (r := row(association_id)) is not None:
            r.corrections = n
    lists = _waiting_lists(user, now)
    for call_list, waiting in lists:
        for org in call_list.associations:
            if org.id in rows:
                rows[org.id].lists.append(WaitingList(call_list.id, call_list.title, waiting))
    ordered = sorted(rows.values(), key=lambda r: r.name)
    total = _total(ordered, district, lists) if district is not None else None
    return Today(monday=local_now.date() - timedelta(days=local_now.weekday()), until=until, survey=survey,
                 rows=ordered, district=district, total=total)


def _total(rows: list[Figures], district: Figures, lists) -> Figures:
    """The district's sums; a call list covering two associations is one list, not two."""
    every = [*rows, district]
    firsts = [r.first_open for r in every if r.first_open is not None]
    return Figures(
        None, "", open_shifts=sum(r.open_shifts for r in every),
        open_places=sum(r.open_places for r in every),
        first_open=min(firsts) if firsts else None, open_asks=sum(r.open_asks for r in every),
        first_ask=min((r.first_ask for r in every if r.first_ask), default=None),
        started=sum(r.started for r in every), to_review=sum(r.to_review for r in every),
        corrections=sum(r.corrections for r in every),
        lists=[WaitingList(c.id, c.title, n) for c, n in lists])


def _in_scope(column, allowed: Collection[int] | None) -> list[sa.ColumnElement[bool]]:
    return [] if allowed is None else [column.in_(list(allowed))]


def _open_shifts(allowed: Collection[int] | None, local_now: datetime, until: datetime):
    """(association id, shifts, places missing, first start) for shifts starting in the window that are
    not full. Only accepted assignments staff a shift: a proposal or an unanswered ask is not a person."""
    accepted = (sa.select(Assignment.shift_id, sa.func.count().label("n"))
                .where(Assignment.status == AssignmentStatus.ACCEPTED)
                .group_by(Assignment.shift_id).subquery())
    have = sa.func.coalesce(accepted.c.n, 0)
    return db.session.execute(
        sa.select(Task.association_id, sa.func.count(Shift.id), sa.func.sum(Shift.slots - have),
                  sa.func.min(Shift.start_local))
        .join(Task, Shift.task_id == Task.id).outerjoin(accepted, accepted.c.shift_id == Shift.id)
        .where(Shift.start_local >= local_now, Shift.start_local < until, Shift.slots > have,
               *_in_scope(Task.association_id, allowed))
        .group_by(Task.association_id)).all()


def _open_asks(allowed: Collection[int] | None, now: datetime, local_now: datetime):
    """(association id, members, first shift start) for the member list's "open_ask" filter; the first
    shift they are asked for is the week the match page should open on. Aliases, so that the filter's own
    subquery over assignments and shifts is never correlated with this join."""
    ask, shift = aliased(Assignment), aliased(Shift)
    return db.session.execute(
        sa.select(Member.association_id, sa.func.count(sa.distinct(Member.id)),
                  sa.func.min(shift.start_local))
        .join(ask, ask.member_id == Member.id).join(shift, ask.shift_id == shift.id)
        .where(*filters.conditions([{"kind": "open_ask"}], allowed, now), shift.start_local >= local_now,
               ask.status.in_((AssignmentStatus.PROPOSED, AssignmentStatus.PUBLISHED)))
        .group_by(Member.association_id)).all()


def _members_per_association(specs: list[dict], allowed: Collection[int] | None, now: datetime):
    """(association id, members) matching these member-list filters, among the active members in scope."""
    return db.session.execute(
        sa.select(Member.association_id, sa.func.count(Member.id))
        .where(*filters.conditions(specs, allowed, now)).group_by(Member.association_id)).all()


def _to_review(user: User) -> list[tuple[int | None, int]]:
    """(association id, open-link answers) waiting on the review page that `user` may settle: the page's
    own list and visibility rule (survey.registry.review), so the count is what the link shows. An answer
    belongs to its candidates' one association, or its postcode's; otherwise to no association."""
    from survey.registry import review

    counted: Counter[int | None] = Counter()
    for item in review.pending(user):
        homes = {c.member.association_id for c in item.candidates}
        if not item.candidates and item.postcode_association is not None:
            homes = {item.postcode_association.id}
        counted[homes.pop() if len(homes) == 1 else None] += 1
    return list(counted.items())


def _waiting_lists(user: User, now: datetime) -> list[tuple]:
    """(call list, members ready to be called now) for the open lists `user` manages, those with anyone
    waiting, in the same terms as the call list's own page (outreach's queue)."""
    from outreach.calllists import queue  # survey never imports outreach at module level
    from outreach.calllists import services as calllists
    from survey.models import CallTarget

    lists = [c for c in calllists.managed_lists(user) if c.is_open(now)]
    if not lists:
        return []
    ready = dict(db.session.execute(
        sa.select(CallTarget.call_list_id, sa.func.count(CallTarget.id))
        .join(Member, Member.id == CallTarget.member_id)
        .where(CallTarget.call_list_id.in_([c.id for c in lists]), queue.open_target(), queue.due(now),
               queue.free(now), queue.callable_member())
        .group_by(CallTarget.call_list_id)).all())
    return [(c, ready[c.id]) for c in lists if ready.get(c.id)]
