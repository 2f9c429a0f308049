"""A survey's structure as plain, shared, read-only objects: built once per survey version per process.

Every survey page walks the same sections, questions and options. Loading them from the database as ORM
rows cost four queries and about 90 new objects per request, the largest share of a page's time
(issue 12). A survey's structure never changes once it exists: changing it means importing a new survey,
which is a new row with a new creation time (see survey/spec/services.py). So the structure is read once
and kept, keyed by what identifies that one row for good; pages get the same plan objects on every request
and in every thread.

The plan classes have the attribute names of the rows they copy (`key`, `type`, `label`, `options`,
`is_answerable` ...), so the walk, the forms and the templates read either. They are frozen: nothing may
write to what every request shares. Only the walk through answers uses plans; admin pages keep the rows.
"""

from __future__ import annotations

import copy
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from survey.models import SignatureMode, Survey

Text = dict[str, str]


@dataclass(frozen=True, slots=True)
class OptionPlan:
    id: int
    key: str
    label: Text


@dataclass(frozen=True, slots=True)
class QuestionPlan:
    id: int
    key: str | None
    type: str
    label: Text | None
    help: Text | None
    required: bool
    min_choices: int | None
    max_choices: int | None
    min_value: int | None
    max_value: int | None
    max_length: int | None
    prefill: str | None
    profile: str | None
    show_if: dict[str, Any] | None
    calendar: dict[str, Any] | None
    options: tuple[OptionPlan, ...]
    # The survey-wide texts a question shows (a consent question shows the privacy notice).
    survey: SurveyTexts = field(repr=False, compare=False)

    @property
    def is_answerable(self) -> bool:
        return self.type != "text_block"


@dataclass(frozen=True, slots=True)
class SectionPlan:
    id: int
    key: str
    title: Text
    intro: Text | None
    show_if: dict[str, Any] | None
    questions: tuple[QuestionPlan, ...]


@dataclass(frozen=True, slots=True)
class SurveyTexts:
    title: Text
    intro: Text | None
    privacy_notice: Text | None


@dataclass(frozen=True, slots=True)
class SurveyPlan:
    id: int
    slug: str
    version: int
    title: Text
    intro: Text | None
    privacy_notice: Text | None
    signature: SignatureMode
    opens_at: datetime | None
    closes_at: datetime | None
    sections: tuple[SectionPlan, ...]
    key_by_question_id: dict[int, str | None] = field(repr=False, compare=False)

    def questions(self) -> list[QuestionPlan]:
        return [q for s in self.sections for q in s.questions]

    def is_open(self, now: datetime) -> bool:
        if self.opens_at is not None and now < self.opens_at:
            return False
        return self.closes_at is None or now < self.closes_at


_CACHE: OrderedDict[tuple, SurveyPlan] = OrderedDict()
_LOCK = threading.Lock()
MAX_CACHED = 32  # surveys with pages being answered at the same time; a few in practice


IDENTITY_COLUMNS = ("id", "slug", "created_at", "version", "opens_at", "closes_at", "signature")


def _identity(survey: Survey) -> tuple:
    """What names this one survey row for good. A replaced survey is a new row (new creation time, and on
    SQLite possibly the same id), so its plan can never be served for the old one; the dates and the
    signature mode are in the key too, so a change to them (none is made today) would build a new plan."""
    return tuple(getattr(survey, name) for name in IDENTITY_COLUMNS)


def plan_for(survey: Survey | SurveyPlan) -> SurveyPlan:
    """The shared plan of a survey row (a plan is returned as it is)."""
    if isinstance(survey, SurveyPlan):
        return survey
    if survey.id is None:  # not yet flushed: nothing identifies it, so nothing is kept
        return _build(survey)
    return plan_by_identity(_identity(survey), lambda: survey)


def plan_by_identity(key: tuple, load: Callable[[], Survey]) -> SurveyPlan:
    """The plan for an identity (the columns `_identity` reads, in its order); `load` gives the row only
    when the plan must be built, so a page that read those columns alone never loads the survey row."""
    with _LOCK:
        found = _CACHE.get(key)
        if found is not None:
            _CACHE.move_to_end(key)
            return found
    built = _build(load())  # outside the lock: it may load rows; two threads building at once is harmless
    with _LOCK:
        _CACHE[key] = built
        while len(_CACHE) > MAX_CACHED:
            _CACHE.popitem(last=False)
    return built


def _build(survey: Survey) -> SurveyPlan:
    texts = SurveyTexts(_copy(survey.title), _copy(survey.intro), _copy(survey.privacy_notice))
    sections = tuple(
        SectionPlan(
            id=s.id, key=s.key, title=_copy(s.title), intro=_copy(s.intro), show_if=_copy(s.show_if),
            questions=tuple(_question(q, texts) for q in s.questions),
        )
        for s in survey.sections
    )
    return SurveyPlan(
        id=survey.id, slug=survey.slug, version=survey.version, title=texts.title, intro=texts.intro,
        privacy_notice=texts.privacy_notice, signature=survey.signature, opens_at=survey.opens_at,
        closes_at=survey.closes_at, sections=sections,
        key_by_question_id={q.id: q.key for s in sections for q in s.questions},
    )


def _question(q, texts: SurveyTexts) -> QuestionPlan:
    return QuestionPlan(
        id=q.id, key=q.key, type=q.type, label=_copy(q.label), help=_copy(q.help), required=q.required,
        min_choices=q.min_choices, max_choices=q.max_choices, min_value=q.min_value, max_value=q.max_value,
        max_length=q.max_length, prefill=q.prefill, profile=q.profile, show_if=_copy(q.show_if),
        calendar=_copy(q.calendar), options=tuple(OptionPlan(o.id, o.key, _copy(o.label)) for o in q.options),
        survey=texts,
    )


def _copy(value: Any) -> Any:
    """A private copy of a JSON value, so no row's attribute and no request shares the plan's dicts."""
    return copy.deepcopy(value) if isinstance(value, dict | list) else value


def clear() -> None:
    """Forget every plan (tests that rewrite a survey row in place)."""
    with _LOCK:
        _CACHE.clear()
