"""What the match pages show, worked out here so the views only read the request and the templates only
lay it out: which shifts, which week, every count and label, who may be named, what may be changed.

Members outside the viewer's associations (travelling members) are named by `access.person_label`, the
one rule: the task's organizer sees the full name of those asked to the task, a candidate's first name and
association (to choose by the reasons shown), and anyone else "Medlem i Timrå".
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from outreach.match import networks, offers, problem
from outreach.match import services as assign
from outreach.match.weeks import choose_week
from outreach.tasks import vocabulary
from outreach.tasks.services import Staffing, count_places
from survey.core import access
from survey.core.access import association_ids, can_see_association
from survey.extensions import db
from survey.i18n import N_
from survey.models import (
    Assignment,
    AssignmentStatus,
    MatchRun,
    Member,
    Organisation,
    RuleKind,
    Shift,
    User,
)

# Marked with N_ for extraction; translated where shown.
WHY = {
    "not_available": N_("Ingen är ledig då"),
    "missing_skill": N_("Ingen har den förmåga som krävs"),
    "other_association": N_("Ingen från föreningen kan, och ingen annan reser"),
    "busy": N_("Alla som kan är redan upptagna"),
    "forbidden": N_("Alla som kan är spärrade"),
}
PIN_CHOICES = 30
DAYS = (N_("måndag"), N_("tisdag"), N_("onsdag"), N_("torsdag"), N_("fredag"), N_("lördag"), N_("söndag"))


def chips(reasons: dict | None, shift: Shift, skills: dict[str, str], topics: dict[str, str]) -> list[str]:
    """The engine's reasons (a proposal's, or a replacement candidate's) as short Swedish phrases an
    organizer reads at a glance."""
    details = (reasons or {}).get("details", {})
    out = []
    for name, level in {**details.get("required_skills", {}), **details.get("preferred_skills", {})}.items():
        if level:
            label = skills.get(name, name).lower()
            # The survey's own level names ("Van", "Lite"), so organizers and members read the same.
            out.append(_("Van: %(skill)s", skill=label) if level >= 2 else _("Lite: %(skill)s", skill=label))
    topic = shift.task.topic
    if details.get("interest") and topic:
        out.append(_("Bryr sig om %(topic)s", topic=topics.get(topic, topic).lower()))
    if details.get("home"):
        out.append(_("Hemmaförening"))
    start = shift.start_local
    part = _("förmiddag") if start.hour < 12 else _("dagtid") if start.hour < 17 else _("kväll")
    out.append(_("Ledig %(day)s %(part)s", day=_(DAYS[start.weekday()]), part=part))
    return out


# -- the match page ---------------------------------------------------------------------------------


@dataclass
class Item:
    """One member on one shift, as the list shows it."""

    assignment: Assignment
    who: str
    status: str  # the label
    rule: str | None = None  # "Låst" or "Spärrad"
    chips: list[str] = field(default_factory=list)

    @property
    def proposed(self) -> bool:
        """Only proposals show a score and reasons and can be pinned or forbidden: the rest are promises."""
        return self.assignment.status is AssignmentStatus.PROPOSED


@dataclass
class Unfilled:
    missing: int
    why: str
    skills: list[str]  # labels of the missing required skills


@dataclass
class ShiftBox:
    shift: Shift
    items: list[Item]
    places: Staffing  # the same count as the calendar and the task page
    manageable: bool
    unfilled: Unfilled | None = None
    pinnable: list[Member] = field(default_factory=list)  # best first, only names the viewer may see

    @property
    def has_declined(self) -> bool:
        return self.places.declined > 0


@dataclass
class MatchPage:
    association: Organisation | None
    is_admin: bool
    scopes: list[Organisation]
    weeks: list[date]
    week: date | None
    run: MatchRun | None
    shifts: list[ShiftBox]
    proposals: list[tuple[Member, Organisation]]  # associations proposed from postcodes (admins)
    mail: dict[str, int]  # task emails in scope not sent yet: "pending", "failed"

    @property
    def mail_waiting(self) -> bool:
        return any(self.mail.values())

    @property
    def scope_id(self) -> int | str:
        return self.association.id if self.association else ""

    @property
    def week_value(self) -> str:
        """What the forms post back, so acting on a shift returns to the same week."""
        return self.week.isoformat() if self.week else "all"


def _covering_run(association: Organisation | None) -> MatchRun | None:
    """The newest run that covered an association's shifts: its own, or the district's (which covers
    every association). After a district-wide run the association's page shows that run's proposals,
    so it must not say that no matching has run for it."""
    own = assign.latest_run(association)
    if association is None:
        return own
    return max(filter(None, (own, assign.latest_run(None))), key=lambda run: run.id, default=None)


def match_page(viewer: User, association: Organisation | None, week: str) -> MatchPage:
    """The scope's shifts of one week with their proposals, asks and answers, reasons and pins."""
    is_admin = association_ids(viewer) is None
    # Organizers also see the district-wide shifts, read-only: their members may be asked to those too.
    every = problem.scoped_shifts(association, district_wide=not is_admin)
    own = every if association is None else [s for s in every if s.task.association_id == association.id]
    weeks, monday = choose_week(every, week, problem.local_now().date(), own)
    shifts = [s for s in every if monday is None or monday <= s.start_local.date() < monday + timedelta(7)]
    ids = [s.id for s in shifts]
    run = _covering_run(association)
    unfilled = {u["shift"]: u for u in (run.stats or {}).get("unfilled", [])} if run else {}
    by_shift = _items(viewer, ids)
    pinnable = _pinnable(viewer, association, set(ids))
    skills = vocabulary.skill_options()
    boxes = [
        ShiftBox(
            shift=s,
            items=by_shift.get(s.id, []),
            places=count_places(s.slots, [i.assignment.status for i in by_shift.get(s.id, [])]),
            manageable=access.can_manage_association(viewer, s.task.association_id),
            unfilled=_unfilled(unfilled[s.id], skills) if s.id in unfilled else None,
            pinnable=pinnable.get(s.id, []),
        )
        for s in shifts
    ]
    return MatchPage(
        association=association,
        is_admin=is_admin,
        scopes=access.visible_associations(viewer),
        weeks=weeks,
        week=monday,
        run=run,
        shifts=boxes,
        proposals=networks.proposed_associations() if is_admin else [],
        mail=offers.waiting(association, assign.manageable_shift_ids(viewer, association)),
    )


def _items(viewer: User, shift_ids: list[int]) -> dict[int, list[Item]]:
    """Shift id -> its members, best score first, with their labels, rule and reasons."""
    if not shift_ids:
        return {}
    query = sa.select(Assignment).where(Assignment.shift_id.in_(shift_ids))
    rows = db.session.scalars(query.order_by(Assignment.score.desc(), Assignment.id)).all()
    rules = assign.rules_by_pair(shift_ids)
    skills, topics = vocabulary.skill_options(), vocabulary.topic_options()
    by_shift: dict[int, list[Item]] = defaultdict(list)
    for a in rows:
        rule = rules.get((a.shift_id, a.member_id))
        item = Item(a, access.person_label(viewer, a.member, a.shift.task), vocabulary.status_label(a.status),
                    rule=None if rule is None else _("Låst") if rule is RuleKind.PIN else _("Spärrad"))
        if item.proposed:
            item.chips = chips(a.reasons, a.shift, skills, topics)
        by_shift[a.shift_id].append(item)
    return by_shift


def _unfilled(stored: dict, skills: dict[str, str]) -> Unfilled:
    code = stored["code"]
    return Unfilled(missing=stored["missing"], why=_(WHY[code]) if code in WHY else code,
                    skills=[skills.get(k, k) for k in stored.get("skills", [])])


def _pinnable(viewer: User, association: Organisation | None, shift_ids: set[int]) -> dict[int, list[Member]]:
    """Shift id -> the best few members who could be pinned to it: enough for a select, and only
    members the viewer may see by name."""
    built = problem.build(association, shift_ids=shift_ids)
    pinnable: dict[int, list[Member]] = defaultdict(list)
    from outreach.matching import eligible_pairs  # numpy: loaded by the page that needs it

    for pair in sorted(eligible_pairs(built.problem), key=lambda p: -p["score"]):
        member, shift_id = built.members[pair["member"]], built.shifts[pair["task"]].id
        if len(pinnable[shift_id]) < PIN_CHOICES and can_see_association(viewer, member.association_id):
            pinnable[shift_id].append(member)
    return pinnable


# -- after publishing, and replacements -------------------------------------------------------------


@dataclass
class HandOut:
    """A link that was not emailed: shown once, to be given to the member another way."""

    who: str
    assignment: Assignment
    url: str


@dataclass
class PublishedPage:
    association: Organisation | None
    published: int
    mailed: int
    waiting: int  # emails not sent now (refused, or the server was down): they stay queued for a retry
    mail_error: str | None
    hand_out: list[HandOut]


def published_page(viewer: User, result: assign.Published, association: Organisation | None) -> PublishedPage:
    return PublishedPage(
        association=association,
        published=len(result.links),
        mailed=result.mailed,
        waiting=result.emailed.waiting,
        mail_error=result.mail_error,
        hand_out=[HandOut(access.person_label(viewer, a.member, a.shift.task), a, url)
                  for a, url in result.not_mailed],
    )


@dataclass
class Candidate:
    member: Member
    who: str
    score: float
    current_tasks: int
    chips: list[str] = field(default_factory=list)  # why the engine ranks them here


@dataclass
class ReplacementsPage:
    shift: Shift
    candidates: list[Candidate]  # best first
    declined: int
    can_manage: bool


def replacements_page(viewer: User, shift: Shift) -> ReplacementsPage:
    """Who could take a place freed by a decline now, ranked by the engine's own pair score."""
    ranked = assign.replacements(shift, problem.local_now())
    skills, topics = vocabulary.skill_options(), vocabulary.topic_options()
    return ReplacementsPage(
        shift=shift,
        candidates=[Candidate(r["member"], access.person_label(viewer, r["member"], shift.task), r["score"],
                              r["current_tasks"], chips(r.get("reasons"), shift, skills, topics))
                    for r in ranked],
        declined=sum(a.status is AssignmentStatus.DECLINED for a in shift.assignments),
        can_manage=access.can_manage_association(viewer, shift.task.association_id),
    )
