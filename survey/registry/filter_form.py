"""The target filter as a form: the member list's search and a call list's targets are the same fields.

One optional field per filter kind of `survey.registry.filters`; what is filled in is ANDed. The form reads
and writes the plain filter data, so a call list can be made from a member-list search by handing its query
string over (`query_args`), and a saved list loads back into the same fields.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, Form, IntegerField, SelectChoice, SelectField
from wtforms.validators import NumberRange, Optional

from survey.extensions import db
from survey.models import Organisation, OrganisationKind, Survey
from survey.spec import availability
from survey.web import translate


def survey_choices() -> list[SelectChoice]:
    surveys = db.session.scalars(sa.select(Survey).order_by(Survey.created_at.desc())).all()
    return [SelectChoice(str(s.id), translate(s.title)) for s in surveys]


def _options(survey: Survey | None, profile: str) -> list[SelectChoice]:
    if survey is None:
        return []
    for q in survey.questions():
        if q.profile == profile:
            return [SelectChoice(o.key.split(":", 1)[-1], translate(o.label)) for o in q.options]
    return []


def _weeks(survey: Survey | None) -> list[SelectChoice]:
    if survey is None:
        return []
    for q in survey.questions():
        if q.type == "availability" and q.calendar:
            cal = availability.calendar_from_dict(q.calendar)
            return [SelectChoice(w.monday.isoformat(), translate(w.label))
                    for w in availability.campaign_weeks(cal)]
    return []


class FilterForm(Form):
    """One optional field per filter kind; what is filled in is ANDed."""

    answered = SelectField(_l("Enkäten"), default="", choices=[
        SelectChoice("", _l("Spelar ingen roll")), SelectChoice("not_answered", _l("Har inte svarat")),
        SelectChoice("answered", _l("Har svarat")),
        SelectChoice("started", _l("Har börjat men inte skickat in"))])
    survey = SelectField(_l("Vilken enkät"), choices=[], validate_choice=False)
    joined_within = IntegerField(_l("Gick med de senaste … dagarna"), validators=[Optional(), NumberRange(1)])
    open_ask = BooleanField(_l("Har en föreslagen uppgift som inte är besvarad"))
    declined = BooleanField(_l("Har tackat nej till en uppgift"))
    skill = SelectField(_l("Förmåga"), choices=[], validate_choice=False)
    skill_level = SelectField(_l("Minst"), default="1",
                              choices=[SelectChoice("1", _l("lite")), SelectChoice("2", _l("van"))])
    interest = SelectField(_l("Intresse"), choices=[], validate_choice=False)
    free_week = SelectField(_l("Ledig någon gång vecka"), choices=[], validate_choice=False)
    network = SelectField(_l("Nätverk"), choices=[], validate_choice=False)
    wants_phone = BooleanField(_l("Vill bli kontaktad per telefon"))
    never_called = BooleanField(_l("Aldrig uppringd"))
    not_reached_days = IntegerField(_l("Inte nådd de senaste … dagarna"),
                                    validators=[Optional(), NumberRange(1)])

    def set_choices(self, survey: Survey | None) -> None:
        any_ = [SelectChoice("", "—")]
        self.survey.choices = survey_choices()
        self.skill.choices = any_ + _options(survey, "skills")
        self.interest.choices = any_ + _options(survey, "interests")
        self.free_week.choices = any_ + _weeks(survey)
        networks = db.session.scalars(sa.select(Organisation).where(
            Organisation.kind == OrganisationKind.NETWORK).order_by(Organisation.name))
        self.network.choices = any_ + [SelectChoice(str(o.id), o.name) for o in networks]

    def to_filters(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        if self.answered.data and self.survey.data:
            out.append({"kind": self.answered.data, "survey": int(self.survey.data)})
        if self.joined_within.data:
            out.append({"kind": "joined_within", "days": self.joined_within.data})
        for flag in ("open_ask", "declined", "wants_phone", "never_called"):
            if getattr(self, flag).data:
                out.append({"kind": flag})
        if self.skill.data:
            out.append({"kind": "skill", "skill": self.skill.data, "level": int(self.skill_level.data or 1)})
        if self.interest.data:
            out.append({"kind": "interest", "key": self.interest.data})
        if self.free_week.data:
            out.append({"kind": "free_week", "week": self.free_week.data})
        if self.network.data:
            out.append({"kind": "network", "organisation": int(self.network.data)})
        if self.not_reached_days.data:
            out.append({"kind": "not_reached", "days": self.not_reached_days.data})
        return out

    def load(self, filters: list[dict[str, Any]]) -> None:
        for f in filters:
            kind = f.get("kind")
            if kind in ("answered", "not_answered", "started"):
                self.answered.data, self.survey.data = kind, str(f["survey"])
            elif kind == "joined_within":
                self.joined_within.data = f["days"]
            elif kind in ("open_ask", "declined", "wants_phone", "never_called"):
                getattr(self, kind).data = True
            elif kind == "skill":
                self.skill.data, self.skill_level.data = f["skill"], str(f.get("level", 1))
            elif kind == "interest":
                self.interest.data = f["key"]
            elif kind == "free_week":
                self.free_week.data = f["week"]
            elif kind == "network":
                self.network.data = str(f["organisation"])
            elif kind == "not_reached":
                self.not_reached_days.data = f["days"]



    def describe(self) -> list[tuple[dict[str, Any], str]]:
        """Each filter the form holds, in words from its own choices ("Köra bil (egen bil), minst van")."""
        def label(field: SelectField) -> str:
            return next((str(c.label) for c in field.choices if c.value == str(field.data)), str(field.data))

        words = []
        for spec in self.to_filters():
            kind = spec["kind"]
            if kind == "skill":
                text = _("%(skill)s, minst %(level)s", skill=label(self.skill), level=label(self.skill_level))
            elif kind in ("interest", "free_week", "network"):
                text = f"{self[kind].label.text}: {label(self[kind])}"
            else:
                text = filter_label(spec)
            words.append((spec, text))
        return words

    def query_args(self, prefix: str = "") -> dict[str, str]:
        """The filled-in fields as query-string arguments, e.g. for "make a call list of this search"."""
        out = {}
        for field in self:
            level_alone = field.name == "skill_level" and not self.skill.data
            if field.data not in (None, "", False) and not level_alone:
                out[prefix + field.name] = "y" if field.data is True else str(field.data)
        return out


def latest_survey() -> Survey | None:
    return db.session.scalar(sa.select(Survey).order_by(Survey.created_at.desc()).limit(1))


def filter_label(spec: dict) -> str:
    """A saved filter in words, where no form's choices are at hand (a saved list's summary)."""
    kind = spec.get("kind", "")
    labels = {
        "answered": _("har svarat på enkäten"), "not_answered": _("har inte svarat på enkäten"),
        "started": _("har börjat men inte skickat in"),
        "joined_within": _("gick med de senaste %(n)s dagarna", n=spec.get("days")),
        "open_ask": _("har en obesvarad uppgift"), "declined": _("har tackat nej till en uppgift"),
        "skill": _("förmåga %(skill)s, minst nivå %(level)s", skill=spec.get("skill"),
                   level=spec.get("level")),
        "interest": _("intresse %(key)s", key=spec.get("key")),
        "free_week": _("ledig veckan %(week)s", week=spec.get("week")),
        "network": _("på ett nätverks lista"), "wants_phone": _("vill bli kontaktad per telefon"),
        "never_called": _("aldrig uppringd"),
        "not_reached": _("inte nådd de senaste %(n)s dagarna", n=spec.get("days")),
        "association": _("förening"),
    }
    return labels.get(kind, kind)
