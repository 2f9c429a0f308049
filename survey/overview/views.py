"""Overview charts for organizers and the district: who answered, what they can do, when they are free.

Scoping follows survey.core.access: admins see the district and every association; an organizer sees only
their associations, another association's page answers 404 and the district 403. The numbers come from
survey.overview.services; this module only picks the scope and survey and turns numbers into charts
with Swedish (or English) words, because survey.overview.charts knows no language.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import sqlalchemy as sa
from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from markupsafe import Markup

from survey import tabular
from survey.core import access, audit
from survey.core.lang import lang_code
from survey.extensions import db
from survey.models import Organisation, OrganisationKind, Survey, utcnow
from survey.overview import charts
from survey.overview import services as numbers
from survey.web import translate

bp = Blueprint("overview", __name__, url_prefix="/admin/overview")
DISTRICT = "district"
MIMETYPES = {"csv": "text/csv",
             "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def _surveys() -> list[Survey]:
    return list(db.session.scalars(sa.select(Survey).order_by(Survey.created_at.desc(), Survey.id.desc())))


def _chosen(surveys: list[Survey], slug: str | None) -> Survey | None:
    """The survey asked for, else the newest open one, else the newest: what organizers look at now."""
    if slug:
        found = next((s for s in surveys if s.slug == slug), None)
        if found is None:
            abort(404)
        return found
    now = utcnow()
    return next((s for s in surveys if s.is_open(now)), surveys[0] if surveys else None)


def _scope(scope: str) -> tuple[Organisation | None, set[int] | None]:
    """(association, its ids) for a slug, (None, None) for the district; 403/404 as access says."""
    if scope == DISTRICT:
        if not current_user.is_admin:
            abort(403)
        return None, None
    org = db.session.scalar(sa.select(Organisation).where(Organisation.slug == scope,
                                                          Organisation.kind == OrganisationKind.ASSOCIATION))
    if org is None:
        abort(404)
    access.require_association(current_user, org.id)
    return org, {org.id}


@bp.get("/")
@access.staff_required
def index():
    surveys = _surveys()
    survey = _chosen(surveys, request.args.get("survey"))
    allowed = access.association_ids(current_user)
    if allowed is not None and len(allowed) == 1:
        org = db.session.get(Organisation, next(iter(allowed)))
        if org is not None and org.kind is OrganisationKind.ASSOCIATION:
            return redirect(url_for(".association", slug=org.slug, survey=request.args.get("survey")))
    rates = numbers.response_rates_by_association(survey, allowed) if survey else []
    chart = _rates_chart(rates) if rates else None
    return render_template("overview/index.html", surveys=surveys, survey=survey, rates=rates,
                           rates_chart=chart, show_district=allowed is None, now=utcnow())


@bp.get("/district")
@access.admin_required
def district():
    return _page(DISTRICT)


@bp.get("/<slug>")
@access.staff_required
def association(slug: str):
    return _page(slug)


def _page(scope: str):
    org, ids = _scope(scope)
    surveys = _surveys()
    survey = _chosen(surveys, request.args.get("survey"))
    context = {"surveys": surveys, "survey": survey, "scope": scope, "org": org, "now": utcnow()}
    if survey is not None:
        rate = numbers.response_rate(survey, ids)
        skills = numbers.skills_inventory(survey, ids)
        tags = numbers.interests(survey, ids)
        weekly = numbers.availability_by_week(survey, ids)
        people = _people_links(survey, org)
        context.update(rate=rate, skills=skills, interests=tags, weekly=weekly, people=people, charts={
            "rate": _rate_chart(rate), "skills": _skills_chart(skills, rate.people, people),
            "interests": _interests_chart(tags, rate.people, people),
            "weekly": _weekly_chart(weekly, people) if weekly else None})
    return render_template("overview/scope.html", **context)


@bp.post("/<scope>/export.<fmt>")
@access.staff_required
def export(scope: str, fmt: str):
    if fmt not in MIMETYPES:
        abort(404)
    org, ids = _scope(scope)
    survey = _chosen(_surveys(), request.form.get("survey"))
    if survey is None:
        abort(404)
    frame = numbers.overview_frame(survey, ids, lang=lang_code())
    audit.record(current_user, "export", f"overview:{scope}", rows=len(frame), format=fmt, survey=survey.slug,
                 association_id=org.id if org else None)
    data = tabular.export_bytes(frame, fmt)
    db.session.commit()
    filename = f"{survey.slug}-oversikt-{re.sub(r'[^a-z0-9-]', '', scope)}-{utcnow():%Y%m%d}.{fmt}"
    return Response(data, mimetype=MIMETYPES[fmt],
                    headers={"Content-Disposition": f"attachment; filename={filename}"})


# -- numbers into charts: the words live here, the drawing in survey.overview.charts ------------------

def _rate_chart(rate: numbers.ResponseRate) -> Markup:
    text = _("%(p)d %% har svarat (%(n)d av %(total)d medlemmar)", p=rate.percent, n=rate.responded,
             total=rate.members)
    return charts.percent_bar("chart-rate", _("Svarsfrekvens"), text, rate.rate, text)


def _rates_chart(rates: list[numbers.AssociationRate]) -> Markup:
    bars = [charts.Bar(r.name, (r.rate.percent,)) for r in rates]
    best = max(rates, key=lambda r: r.rate.rate)
    desc = _("Andel medlemmar som har svarat, per förening. Högst: %(name)s, %(p)d %%.", name=best.name,
             p=best.rate.percent)
    return charts.bar_chart("chart-rates", _("Svarsfrekvens per förening"), desc, bars, max_value=100,
                            end_text=lambda v: f"{v[0]} %", track=True)


def _people_links(survey: Survey, org: Organisation | None) -> Callable[..., str]:
    """The member list filtered to the people behind a bar: `people(skill="driving")`. Open-link answers
    tied to no member are counted in the charts but are not on any list."""
    def link(**filters: str) -> str:
        return url_for("members.index", survey=survey.id, association=org.id if org else None, **filters)
    return link


def _skills_chart(skills: list[numbers.SkillCount], people: int,
                  link: Callable[..., str | None] = lambda **_: None) -> Markup:
    bars = [charts.Bar(translate(s.label), (s.experienced, s.some), link(skill=s.key)) for s in skills]
    desc = _("Antal personer per förmåga av %(n)d som har svarat, flest först.", n=people)
    if skills and skills[0].people:
        top = skills[0]
        desc += " " + ngettext("Flest: %(label)s, %(num)d person, varav %(exp)d vana.",
                               "Flest: %(label)s, %(num)d personer, varav %(exp)d vana.", top.people,
                               label=translate(top.label), exp=top.experienced)
    return charts.bar_chart(
        "chart-skills", _("Förmågor"), desc, bars, series=(_("Van"), _("Lite")),
        # The plural follows the experienced: "5 (1 van)", "5 (2 vana)".
        end_text=lambda v: ngettext("%(total)d (%(num)d van)", "%(total)d (%(num)d vana)", v[0],
                                    total=sum(v)))


def _interests_chart(tags: list[numbers.TagCount], people: int,
                     link: Callable[..., str | None] = lambda **_: None) -> Markup:
    bars = [charts.Bar(translate(t.label), (t.people,), link(interest=t.key)) for t in tags]
    desc = _("Antal personer per fråga de vill arbeta med, av %(n)d som har svarat, flest först.", n=people)
    if tags and tags[0].people:
        desc += " " + ngettext("Flest: %(label)s, %(num)d person.", "Flest: %(label)s, %(num)d personer.",
                               tags[0].people, label=translate(tags[0].label))
    return charts.bar_chart("chart-interests", _("Intressen"), desc, bars)


def _weekly_chart(weekly: numbers.WeeklyAvailability,
                  link: Callable[..., str | None] = lambda **_: None) -> Markup:
    series = (_("någon gång"), *(translate(label).lower() for _key, label in weekly.slots))
    groups = [charts.Bar(translate(w.label), (w.people, *w.per_slot), link(free_week=w.monday.isoformat()))
              for w in weekly.weeks]
    desc = _("Antal personer som kan någon gång under veckan och per tid på veckan, för varje vecka fram "
             "till valet.")
    if weekly.weeks:
        best = max(weekly.weeks, key=lambda w: w.people)
        desc += " " + ngettext("Flest i %(week)s: %(num)d person.", "Flest i %(week)s: %(num)d personer.",
                               best.people, week=translate(best.label))
    return charts.grouped_chart("chart-weekly", _("Lediga per vecka"), desc, groups, series)
