"""Matching members to shifts: run, review reasons, pin or forbid, publish, replacements.

Scope is an association (organizers: only their own) or the whole district (admins). Names of members
outside the viewer's associations (travelling members proposed for their shifts) are not shown to
organizers, who may not see other associations' registries.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

import sqlalchemy as sa
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from outreach.asks import sms as ask_lists
from outreach.match import networks, problem
from outreach.match import services as assign
from outreach.tasks import services as tasks
from survey import tabular
from survey.core import access, audit
from survey.core.access import admin_required, association_ids, can_see_association, staff_required
from survey.extensions import db
from survey.i18n import N_
from survey.models import (
    Assignment,
    AssignmentStatus,
    Member,
    Organisation,
    OrganisationKind,
    RuleKind,
    Shift,
    utcnow,
)

bp = Blueprint("match", __name__, url_prefix="/admin/match")

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


class CsrfForm(FlaskForm):
    """Only a CSRF token: the buttons carry their values."""


def _scope() -> Organisation | None:
    """The association asked for; organizers default to their first one and never get the district."""
    raw = request.values.get("association", "")
    allowed = association_ids(current_user)
    if not raw.isdigit():
        if allowed is None:
            return None
        mine = access.visible_associations(current_user)
        if not mine:
            abort(403)
        return mine[0]
    org = db.session.get(Organisation, int(raw))
    if (
        org is None
        or org.kind is not OrganisationKind.ASSOCIATION
        or not can_see_association(current_user, org.id)
    ):
        abort(404)
    return org


def _shift(shift_id: int, manage: bool = True) -> Shift:
    shift = db.session.get(Shift, shift_id)
    if shift is None or not access.can_see_task(current_user, shift.task):
        abort(404)
    if manage and not access.can_manage_association(current_user, shift.task.association_id):
        abort(403)  # a district-wide shift: organizers see it but may not change it
    return shift


def _back(association: Organisation | None):
    """Back to the page the organizer came from: same scope, same week."""
    week = request.values.get("week", "")
    scope = association.id if association else ""
    return redirect(url_for("match.index", association=scope, week=week or None))


def _week(shifts: list[Shift]) -> tuple[list[date], date | None]:
    """The weeks that have shifts, and the one to show: asked for ("all": every week), else the first
    from this week on, so a page of a hundred shifts opens on the week the organizer is working on."""
    mondays = sorted({s.start_local.date() - timedelta(days=s.start_local.weekday()) for s in shifts})
    raw = request.args.get("week", "")
    if raw == "all" or not mondays:
        return mondays, None
    try:
        asked = date.fromisoformat(raw)
        return mondays, asked - timedelta(days=asked.weekday())
    except ValueError:
        today = problem.local_now().date()
        this_week = today - timedelta(days=today.weekday())
        return mondays, next((m for m in mondays if m >= this_week), mondays[0])


def name_of(member: Member) -> str:
    if can_see_association(current_user, member.association_id):
        return member.full_name
    return _("Medlem i %(org)s", org=member.association.name) if member.association else _("Medlem")


def chips(assignment: Assignment, skills: dict[str, str], topics: dict[str, str]) -> list[str]:
    """The engine's reasons as short Swedish phrases an organizer reads at a glance."""
    details = (assignment.reasons or {}).get("details", {})
    out = []
    for name, level in {**details.get("required_skills", {}), **details.get("preferred_skills", {})}.items():
        if level:
            label = skills.get(name, name).lower()
            out.append(_("Van: %(skill)s", skill=label) if level >= 2 else _("Kan: %(skill)s", skill=label))
    topic = assignment.shift.task.topic
    if details.get("interest") and topic:
        out.append(_("Bryr sig om %(topic)s", topic=topics.get(topic, topic).lower()))
    if details.get("home"):
        out.append(_("Hemmaförening"))
    start = assignment.shift.start_local
    part = _("förmiddag") if start.hour < 12 else _("dagtid") if start.hour < 17 else _("kväll")
    out.append(_("Ledig %(day)s %(part)s", day=_(DAYS[start.weekday()]), part=part))
    return out


@bp.get("")
@staff_required
def index():
    from outreach.matching import eligible_pairs  # numpy: loaded by the page that needs it, not at start-up

    association = _scope()
    is_admin = association_ids(current_user) is None
    # Organizers also see the district-wide shifts, read-only: their members may be asked to those too.
    every = problem.scoped_shifts(association, district_wide=not is_admin)
    weeks, week = _week(every)
    shifts = [s for s in every if week is None or week <= s.start_local.date() < week + timedelta(days=7)]
    manageable = {s.id for s in shifts if access.can_manage_association(current_user, s.task.association_id)}
    ids = [s.id for s in shifts]
    query = sa.select(Assignment).where(Assignment.shift_id.in_(ids))
    rows = db.session.scalars(query.order_by(Assignment.score.desc(), Assignment.id)).all() if ids else []
    by_shift: dict[int, list[Assignment]] = defaultdict(list)
    for a in rows:
        by_shift[a.shift_id].append(a)
    built = problem.build(association, shift_ids=set(ids))
    pinnable: dict[int, list[Member]] = defaultdict(list)
    for pair in sorted(eligible_pairs(built.problem), key=lambda p: -p["score"]):
        member, shift_id = built.members[pair["member"]], built.shifts[pair["task"]].id
        # The best few are enough for a select; names only of members the viewer may see.
        if len(pinnable[shift_id]) < PIN_CHOICES and can_see_association(current_user, member.association_id):
            pinnable[shift_id].append(member)
    run = assign.latest_run(association)
    unfilled = {u["shift"]: u for u in (run.stats or {}).get("unfilled", [])} if run else {}
    scopes = access.visible_associations(current_user)
    return render_template(
        "match/index.html",
        association=association,
        shifts=shifts,
        weeks=weeks,
        week=week,
        by_shift=by_shift,
        pinnable=pinnable,
        run=run,
        unfilled=unfilled,
        why=WHY,
        rules=assign.rules_by_pair(ids),
        scopes=scopes,
        is_admin=is_admin,
        manageable=manageable,
        form=CsrfForm(),
        name_of=name_of,
        chips=chips,
        skills=tasks.skill_options(),
        topics=tasks.topic_options(),
        Status=AssignmentStatus,
        proposals=networks.proposed_associations() if is_admin else [],
    )


@bp.post("/run")
@staff_required
def run():
    association = _scope()
    CsrfForm().validate_on_submit() or abort(400)
    match_run = assign.run(association, current_user, problem.local_now())
    db.session.commit()
    flash(_("Matchningen är klar: %(n)d förslag.", n=(match_run.stats or {}).get("assigned", 0)))
    return _back(association)


@bp.post("/rule")
@staff_required
def rule():
    association = _scope()
    CsrfForm().validate_on_submit() or abort(400)
    shift_id, member_id = request.form.get("shift", ""), request.form.get("member", "")
    if not shift_id.isdigit() or not member_id.isdigit():
        abort(400)
    shift = _shift(int(shift_id))
    member = db.session.get(Member, int(member_id)) or abort(404)
    kind = request.form.get("kind", "")
    if kind not in ("pin", "forbid", "clear"):
        abort(400)
    assign.set_rule(shift, member, None if kind == "clear" else RuleKind(kind))
    db.session.commit()
    flash(_("Sparat. Kör matchningen igen för att se resultatet."))
    return _back(association)


@bp.post("/publish")
@staff_required
def publish():
    association = _scope()
    CsrfForm().validate_on_submit() or abort(400)
    result = assign.publish(association, _manageable(association))
    db.session.commit()
    return render_template(
        "match/published.html", result=result, association=association, name_of=name_of
    )


def _manageable(association: Organisation | None) -> set[int] | None:
    """The scope's shifts the user may act on; None: all of them (district admins)."""
    allowed = association_ids(current_user)
    if allowed is None:
        return None
    return {s.id for s in problem.scoped_shifts(association) if s.task.association_id in allowed}


@bp.post("/sms.csv")
@staff_required
def sms_csv():
    """Unanswered asks with fresh links, for an SMS mail-merge (see outreach.asks.sms)."""
    import pandas as pd  # here, not at the top: the app and its CLI start without pandas

    association = _scope()
    CsrfForm().validate_on_submit() or abort(400)
    rows = ask_lists.unanswered_rows(association, _manageable(association))
    audit.record(current_user, "export", "task-sms-links", rows=len(rows),
                 association_id=association.id if association else None)
    db.session.commit()  # the links in the file must be the valid ones
    frame = pd.DataFrame(rows, columns=ask_lists.COLUMNS)
    name = f"uppdrag-sms-{association.slug if association else 'distriktet'}-{utcnow():%Y%m%d}.csv"
    return Response(tabular.export_bytes(frame, "csv"), mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename={name}"})


@bp.get("/shifts/<int:shift_id>/replacements")
@staff_required
def replacements(shift_id: int):
    shift = _shift(shift_id, manage=False)
    ranked = assign.replacements(shift, problem.local_now())
    declined = [a for a in shift.assignments if a.status is AssignmentStatus.DECLINED]
    return render_template(
        "match/replacements.html",
        shift=shift,
        ranked=ranked,
        declined=declined,
        name_of=name_of,
        form=CsrfForm(),
        can_manage=access.can_manage_association(current_user, shift.task.association_id),
    )


@bp.post("/shifts/<int:shift_id>/offer")
@staff_required
def offer(shift_id: int):
    shift = _shift(shift_id)
    CsrfForm().validate_on_submit() or abort(400)
    raw = request.form.get("member", "")
    candidates = {r["member"].id: r["member"] for r in assign.replacements(shift, problem.local_now(), None)}
    if not raw.isdigit() or int(raw) not in candidates:
        flash(_("Den medlemmen kan inte ta passet just nu."), "error")
        return redirect(url_for("match.replacements", shift_id=shift.id))
    result = assign.offer(shift, candidates[int(raw)])
    db.session.commit()
    return render_template(
        "match/published.html", result=result, association=shift.task.association, name_of=name_of
    )


@bp.post("/members/<int:member_id>/association")
@admin_required
def adopt(member_id: int):
    CsrfForm().validate_on_submit() or abort(400)
    member = db.session.get(Member, member_id) or abort(404)
    raw = request.form.get("association", "")
    org = db.session.get(Organisation, int(raw)) if raw.isdigit() else None
    if org is None or org.kind is not OrganisationKind.ASSOCIATION:
        abort(400)
    networks.adopt(member, org)
    db.session.commit()
    flash(_("%(name)s hör nu till %(org)s.", name=member.full_name, org=org.name))
    return redirect(url_for("match.index"))
