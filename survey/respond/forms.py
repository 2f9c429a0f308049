"""WTForms forms built at run time from a survey section's questions.

Parsing is split in two levels so nothing a member typed is lost: *shape* errors (an option that is not
in the question, text too long, not a number) always stop a save, while *completeness* errors (required,
too few choices) only stop moving forward or submitting. Fields are rendered by our own templates (for
fieldset/legend and aria-describedby), so the form classes are used to parse and validate.
"""

from __future__ import annotations

import functools
from typing import Any, NamedTuple

from babel import support
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    Field,
    IntegerField,
    RadioField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.i18n import messages_path
from wtforms.validators import Length, NumberRange, Optional

from survey.core.lang import lang_code
from survey.models import Question, Section
from survey.spec import availability

# Plain string choices: labels are rendered by our templates, and WTForms 3.3 deprecates tuples.
SKILL_LEVELS = ["0", "1", "2"]  # not at all, some, experienced
YES_NO = ["yes", "no"]
DEFAULT_MAX_LENGTH = {"text": 200, "long_text": 4000}


@functools.cache
def _wtforms_catalog(locale: str) -> support.Translations:
    """WTForms' own messages ("Not a valid integer value.") in one language, read once per process:
    Flask-WTF reads the catalog file again for every request that builds a form."""
    return support.Translations.load(messages_path(), [locale], domain="wtforms")


class SectionForm(FlaskForm):
    """Base for generated section forms; `questions` maps field names back to questions."""

    questions: dict[str, Question] = {}
    prefilled: bool = False  # set by the walk when the registry filled in some of the fields

    class Meta:
        def get_translations(self, form):
            return _wtforms_catalog(lang_code())


def skill_field_name(question: Question, index: int) -> str:
    return f"{question.key}__{index}"


def build_form(section: Section, questions: list[Question], lang: str, formdata=None,
               data: dict[str, Any] | None = None) -> SectionForm:
    """A form for the visible questions of one section, filled from `formdata` or from stored `data`.

    The class is cached (building it was a large share of each survey page); the instance gets this
    request's question rows, so no ORM object outlives its session through the cache.
    """

    answerable = [q for q in questions if q.is_answerable]
    cls = _form_class(section.key, tuple(_fingerprint(q) for q in answerable), answerable)
    initial = {} if data is None else _to_form_data(questions, data)
    form = cls(formdata=formdata, data=initial)
    form.questions = {q.key: q for q in answerable}
    return form


class StoredValue(NamedTuple):
    """A field's value as the page templates read it (`.data`; `.raw_data` is what a POST typed)."""

    data: Any
    raw_data: list[str] | None = None


class StoredForm:
    """A page shown from stored answers: the values the page templates read, without WTForms fields.

    Building and binding some fifty WTForms fields was a large share of every survey page that only
    shows answers (issue 12); WTForms is needed only to parse and check what a member sends, so POSTs
    use `build_form`. The values are the ones `build_form(data=...)` would give its fields (the same
    `_to_form_data`), so both show a page the same way."""

    prefilled: bool = False

    def __init__(self, questions: list[Question], data: dict[str, Any]):
        answerable = [q for q in questions if q.is_answerable]
        self.questions = {q.key: q for q in answerable}
        self._data = _to_form_data(answerable, data)

    def __getitem__(self, name: str) -> StoredValue:
        return StoredValue(self._data.get(name))

    def value(self, name: str) -> Any:
        """`self[name].data` without the wrapper: a compiled skills page asks it 51 times."""
        return self._data.get(name)


def stored_form(questions: list[Question], data: dict[str, Any]) -> StoredForm:
    return StoredForm(questions, data)


_FORM_CLASSES: dict[tuple, type[SectionForm]] = {}
_MAX_CACHED = 512


def _fingerprint(q: Question) -> tuple:
    """Everything a field is built from: equal fingerprints build equal fields, so a new survey version
    (new rows, other options or limits) can never get a stale class, and no invalidation is needed."""

    return (q.key, q.type, q.max_length, q.min_value, q.max_value, tuple(o.key for o in q.options),
            repr(q.calendar) if q.type == "availability" else None)


def _form_class(section_key: str, key: tuple, answerable: list[Question]) -> type[SectionForm]:
    cached = _FORM_CLASSES.get((section_key, key))
    if cached is not None:
        return cached
    attrs: dict[str, Any] = {}
    for q in answerable:
        if q.type == "skill":
            for i, _opt in enumerate(q.options):
                attrs[skill_field_name(q, i)] = _radio(SKILL_LEVELS)
        else:
            attrs[q.key] = _field_for(q)
    cls = type(f"Section_{section_key}", (SectionForm,), attrs)
    if len(_FORM_CLASSES) >= _MAX_CACHED:
        _FORM_CLASSES.clear()
    _FORM_CLASSES[(section_key, key)] = cls
    return cls


def _field_for(q: Question) -> Field:
    if q.type in ("text", "long_text"):
        cls = StringField if q.type == "text" else TextAreaField
        limit = q.max_length or DEFAULT_MAX_LENGTH[q.type]
        return cls(validators=[Optional(), Length(max=limit, message=_l("Högst %(max)d tecken.", max=limit))],
                   filters=[strip])
    if q.type == "number":
        lo = q.min_value if q.min_value is not None else -(10**9)
        hi = q.max_value if q.max_value is not None else 10**9
        return IntegerField(validators=[Optional(), NumberRange(lo, hi, message=_range_message(lo, hi))])
    if q.type == "yes_no":
        return _radio(YES_NO)
    choices = [o.key for o in q.options]
    if q.type == "single_choice":
        return _radio(choices)
    if q.type == "multiple_choice":
        return _checkboxes(choices)
    if q.type == "availability":
        return _checkboxes(sorted(availability_cells(q)))
    if q.type == "consent":
        return BooleanField()
    raise ValueError(f"unknown question type {q.type!r}")


def availability_cells(q: Question) -> set[str]:
    """The cells ("<monday>:<slot>") an availability question offers."""
    return set(availability.valid_cells(availability.calendar_from_dict(q.calendar)))


def _radio(choices: list[str]) -> RadioField:
    return RadioField(choices=choices, validators=[Optional()], filters=[_blank_to_none])


def _checkboxes(choices: list[str]) -> SelectMultipleField:
    # No Optional(): it stops the chain on a blank first value and so clears the "not an option" error
    # for the values after it. Blank values are what no browser sends; they are dropped, the rest checked.
    return SelectMultipleField(choices=choices, filters=[_drop_blank])


def strip(value):
    """Surrounding spaces off a typed value (a WTForms filter, shared with the signature form)."""
    return value.strip() if isinstance(value, str) else value


def _blank_to_none(value):
    """A blank choice is no choice (Optional() then skips the field), never an answer " " or a level."""
    return None if isinstance(value, str) and not value.strip() else value


def _drop_blank(values):
    return [v for v in values if not isinstance(v, str) or v.strip()] if values else values


def _range_message(lo: int, hi: int):
    return _l("Ange ett tal mellan %(min)d och %(max)d.", min=lo, max=hi)


def _to_form_data(questions: list[Question], answers: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for q in questions:
        if not q.is_answerable or q.key not in answers:
            continue
        value = answers[q.key]
        if q.type == "skill":
            for i, opt in enumerate(q.options):
                if opt.key in value:
                    data[skill_field_name(q, i)] = str(value[opt.key])
        elif q.type == "yes_no":
            data[q.key] = "yes" if value else "no"
        else:
            data[q.key] = value
    return data


def values(form: SectionForm) -> dict[str, Any]:
    """The answers a validated form holds, in stored shape; unanswered questions are absent."""

    result: dict[str, Any] = {}
    for key, q in form.questions.items():
        if q.type == "skill":
            levels = {}
            for i, opt in enumerate(q.options):
                raw = form[skill_field_name(q, i)].data
                if raw not in (None, "", "None"):
                    levels[opt.key] = int(raw)
            if levels:
                result[key] = levels
            continue
        data = form[key].data
        if q.type == "yes_no":
            if data in ("yes", "no"):
                result[key] = data == "yes"
        elif q.type == "consent":
            if data:
                result[key] = True
        elif q.type in ("multiple_choice", "availability"):
            if data:
                order = {c: i for i, c in enumerate(form[key].choices)}
                result[key] = sorted(set(data), key=order.__getitem__)
        elif data not in (None, ""):
            result[key] = data
    return result


def completeness_errors(form: SectionForm, answers: dict[str, Any]) -> dict[str, str]:
    """Required questions left empty, and choice counts out of bounds, by question key."""

    errors: dict[str, str] = {}
    for key, q in form.questions.items():
        value = answers.get(key)
        if q.type == "consent" and q.required and not value:
            errors[key] = _("Du behöver kryssa i rutan för att kunna skicka in.")
        elif q.required and value in (None, "", [], {}):
            errors[key] = _("Det här behöver du svara på.")
        elif q.type == "multiple_choice" and value:
            if q.min_choices and len(value) < q.min_choices:
                errors[key] = _("Välj minst %(n)d.", n=q.min_choices)
            elif q.max_choices and len(value) > q.max_choices:
                errors[key] = _("Välj högst %(n)d.", n=q.max_choices)
    return errors


def shape_errors(form: SectionForm) -> dict[str, str]:
    """Errors WTForms found (wrong option, too long, not a number), by question key."""

    form.validate()
    errors: dict[str, str] = {}
    for key, q in form.questions.items():
        names = [skill_field_name(q, i) for i in range(len(q.options))] if q.type == "skill" else [key]
        for name in names:
            field_errors = form[name].errors
            if field_errors:
                errors.setdefault(key, _translate_choice_error(field_errors[0]))
    return errors


def _translate_choice_error(message: str) -> str:
    if "valid choice" in message.lower() or "giltigt val" in message.lower() or "valid choices" in message:
        return _("Välj bland alternativen som visas.")
    return str(message)
