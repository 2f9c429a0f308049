"""Forms of the call list pages. The target filter is one sub-form, used for the list's targets and for a
goal that is a filter; it turns into and out of the saved filter data (survey.registry.filters)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    EmailField,
    Form,
    FormField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, EqualTo, Length, NumberRange, Optional

from survey.accounts import services as accounts
from survey.extensions import db
from survey.models import Organisation, OrganisationKind, Survey
from survey.spec import availability
from survey.spec.services import STOCKHOLM
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


def aware(value: datetime | None) -> datetime | None:
    """A time typed in the form is Swedish wall-clock time."""
    return value.replace(tzinfo=STOCKHOLM) if value is not None else None


def local_input(value: datetime | None) -> datetime | None:
    return value.astimezone(STOCKHOLM).replace(tzinfo=None) if value is not None else None


class ListForm(FlaskForm):
    title = StringField(_l("Namn på listan"), validators=[DataRequired(_l("Ge listan ett namn.")),
                                                         Length(max=200)])
    associations = SelectMultipleField(_l("Förening"), choices=[], validate_choice=False)
    instructions = TextAreaField(_l("Instruktioner till ringarna"), validators=[Optional(), Length(max=4000)])
    script = TextAreaField(_l("Manus"), validators=[Optional(), Length(max=8000)])
    survey = SelectField(_l("Enkät att ta per telefon"), choices=[], validate_choice=False)
    target = FormField(FilterForm)
    goal = RadioField(_l("Klar när"), default="reached", choices=[
        SelectChoice("reached", _l("personen är nådd")),
        SelectChoice("survey", _l("personen har svarat på enkäten")),
        SelectChoice("task", _l("personen har tackat ja till en uppgift")),
        SelectChoice("filter", _l("personen matchar målfiltret nedan"))])
    goal_filter = FormField(FilterForm)
    cooldown_hours = IntegerField(_l("Vänta så här många timmar efter ett samtal utan kontakt"), default=24,
                                  validators=[DataRequired(_l("Skriv ett antal timmar.")),
                                              NumberRange(1, 24 * 30)])
    opens_at = DateTimeLocalField(_l("Öppnar"), format="%Y-%m-%dT%H:%M", validators=[Optional()])
    closes_at = DateTimeLocalField(_l("Stänger"), format="%Y-%m-%dT%H:%M", validators=[Optional()])
    show_email = BooleanField(_l("Ringarna ser e-postadressen"))
    show_address = BooleanField(_l("Ringarna ser adressen"))
    show_birth_year = BooleanField(_l("Ringarna ser födelseåret"))
    callers = TextAreaField(_l("Ringare (e-postadresser till befintliga konton, en per rad)"),
                            validators=[Optional(), Length(max=4000)])

    def set_choices(self, organisations: list[Organisation], survey: Survey | None) -> None:
        self.associations.choices = [SelectChoice(str(o.id), o.name) for o in organisations]
        self.survey.choices = [SelectChoice("", "—")] + survey_choices()
        self.target.form.set_choices(survey)
        self.goal_filter.form.set_choices(survey)


class OutcomeForm(FlaskForm):
    note = TextAreaField(_l("Anteckning"), validators=[Optional(), Length(max=2000)])
    callback_at = DateTimeLocalField(_l("Ring tillbaka"), format="%Y-%m-%dT%H:%M", validators=[Optional()])
    needs_action = BooleanField(_l("Behöver åtgärd av en organisatör"))
    message = TextAreaField(_l("Meddelande till organisatören"), validators=[Optional(), Length(max=2000)])


class CallerForm(FlaskForm):
    email = EmailField(_l("E-postadress"), validators=[DataRequired(_l("Skriv en e-postadress.")),
                                                       Email(_l("Skriv en giltig e-postadress."))])


class PasswordForm(FlaskForm):
    password = PasswordField(_l("Nytt lösenord"), validators=[
        DataRequired(_l("Välj ett lösenord.")),
        Length(min=accounts.MIN_PASSWORD_LENGTH,
               message=_l("Minst %(n)d tecken.", n=accounts.MIN_PASSWORD_LENGTH))])
    confirm = PasswordField(_l("Samma lösenord igen"),
                            validators=[EqualTo("password", _l("Lösenorden är olika."))])


class CsrfForm(FlaskForm):
    """Only a CSRF token: the buttons carry their values."""
