"""The invitation pages' forms: plan a round, act on one (continue, retry), list members for SMS."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, RadioField, SelectChoice, SelectField, StringField
from wtforms.validators import AnyOf, DataRequired, Length, Optional, Regexp

from survey.invitations import services as invitations

ROUND_RE = r"^[\w.:-][\w .:-]*$"


class PlanForm(FlaskForm):
    survey = SelectField(_l("Enkät"), validators=[DataRequired()])
    association = SelectField(_l("Förening"), validate_choice=False)  # checked by _association_or_404
    kind = RadioField(_l("Utskick"), default="invitation", choices=[
        SelectChoice("invitation", _l("Inbjudan")),
        SelectChoice("reminder", _l("Påminnelse till dem som inte svarat"))])
    round = StringField(_l("Omgång (frivilligt)"), validators=[Optional(), Length(max=40), Regexp(
        ROUND_RE, message=_l("Bokstäver, siffror, mellanslag och . : - _"))])


class RoundForm(FlaskForm):
    """The round a "continue" or "retry" button acts on."""

    survey = HiddenField(validators=[DataRequired()])
    kind = HiddenField(validators=[AnyOf(invitations.KINDS)])
    round = HiddenField(validators=[DataRequired(), Length(max=40)])
    association = HiddenField()


class ListForm(FlaskForm):
    survey = SelectField(_l("Enkät"), validators=[DataRequired()])
    association = SelectField(_l("Förening"), validate_choice=False)  # checked by _association_or_404
    only_not_answered = BooleanField(_l("Bara de som inte har svarat"), default=True)
