"""Forms of the call list pages. The target filter is one sub-form, used for the list's targets and for a
goal that is a filter; it turns into and out of the saved filter data (survey.registry.filters)."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    EmailField,
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
from survey.models import Organisation, Survey
from survey.registry.filter_form import FilterForm, survey_choices
from survey.spec.services import STOCKHOLM


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
