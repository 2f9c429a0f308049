"""The survey summary for the board: response rate per association, skills, interests and people free
per campaign week, with the same charts as the overview pages (vector SVG) and the numbers beside them.

The numbers come from survey.overview.services and the charts from the overview page's own helpers, so
paper and screen never disagree. Only counts: no member is named.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from markupsafe import Markup

from outreach.printing.common import Header, header
from survey.models import Organisation, Survey
from survey.overview import services as numbers
from survey.overview import views as page
from survey.web import translate

CHART_FONT = 'font-family="system-ui, sans-serif"'


@dataclass(frozen=True)
class Summary:
    head: Header
    survey_title: str
    rate: numbers.ResponseRate
    rates: tuple[numbers.AssociationRate, ...]
    skills: tuple[numbers.SkillCount, ...]
    interests: tuple[numbers.TagCount, ...]
    weekly: numbers.WeeklyAvailability | None
    charts: dict[str, Markup]
    district: bool

    @property
    def people(self) -> int:
        return 0  # counts only: nobody is listed


def _printable(svg: Markup) -> Markup:
    """The overview's SVG with our print font, so the charts match the text on every machine."""
    from outreach.printing.render import FONT_FAMILY  # weasyprint: loaded when printing, not at start-up

    return Markup(str(svg).replace(CHART_FONT, f'font-family="{FONT_FAMILY}"'))


def build(survey: Survey, association: Organisation | None, ids: set[int] | None) -> Summary:
    """`ids`: the associations counted (None: the whole district)."""
    rate = numbers.response_rate(survey, ids)
    rates = numbers.response_rates_by_association(survey, ids)
    skills = numbers.skills_inventory(survey, ids)
    tags = numbers.interests(survey, ids)
    weekly = numbers.availability_by_week(survey, ids)
    charts = {"rate": page._rate_chart(rate), "skills": page._skills_chart(skills, rate.people),
              "interests": page._interests_chart(tags, rate.people)}
    if len(rates) > 1:
        charts["rates"] = page._rates_chart(rates)
    if weekly:
        charts["weekly"] = page._weekly_chart(weekly)
    return Summary(
        head=header(association, _("Sammanställning av enkäten")), survey_title=translate(survey.title),
        rate=rate, rates=tuple(rates), skills=tuple(skills), interests=tuple(tags), weekly=weekly,
        charts={k: _printable(v) for k, v in charts.items()}, district=association is None and ids is None)
