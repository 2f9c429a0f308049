"""Survey specifications: a whole survey described as data.

The YAML format is documented in docs/survey-format.md. The plain dataclasses below are the
survey; ``dump_spec`` writes one back to YAML so that ``load_spec(dump_spec(s)) == s``. Parsing and
validation (``load_spec`` and friends) live in ``survey.spec.parse``, which imports this module and
never the other way round; ``survey.spec`` offers both as one API. This module is pure: no Flask, no database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time

import yaml

FORMAT = "kraftkartan-survey/1"
LANGUAGES = ("sv", "en")
Text = dict[str, str]  # language code -> text; "sv" always present, "en" optional

SIGNATURES = ("anonymous", "name_optional", "name_and_contact")
ITEM_TYPES = (
    "text_block", "text", "long_text", "number", "yes_no", "single_choice",
    "multiple_choice", "skill", "availability", "consent",
)
QUESTION_TYPES = ITEM_TYPES[1:]
CHOICE_TYPES = ("single_choice", "multiple_choice", "skill")
PREFILLS = ("first_name", "last_name", "full_name", "phone", "email", "postcode")
PROFILES = {  # profile kind -> question types that may feed it
    "max_tasks": ("number", "single_choice"),
    "hours": ("number",),
    "travels": ("yes_no",),
    "skills": ("skill",),
    "interests": ("multiple_choice",),
    "networks": ("multiple_choice",),
    "availability": ("availability",),
}
DEFAULT_MAX_LENGTH = {"text": 200, "long_text": 4000}
SKILL_LEVELS: dict[int, Text] = {
    0: {"sv": "Inte alls", "en": "Not at all"},
    1: {"sv": "Lite", "en": "Some"},
    2: {"sv": "Van", "en": "Experienced"},
}
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
CONDITION_OPS = ("equals", "any_of", "answered")

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")
KEY_RE = re.compile(r"^[a-z][a-z0-9_]*$")
OPTION_KEY_RE = re.compile(r"^[a-z][a-z0-9_]*(:[a-z0-9_]+)?$")
TASKS_OPTION_RE = re.compile(r"^tasks:([1-9][0-9]*)$")


class SpecError(ValueError):
    """A survey file that does not follow the format.

    ``problems`` lists every (path, message) found; ``path``/``message`` are the first.
    ``str()`` gives one ``"{filename}: {path}: {message}"`` line per problem, for at most
    PROBLEMS_SHOWN problems, each line cut to a readable length: a broken file makes a short report.
    """

    PROBLEMS_SHOWN = 50

    def __init__(self, filename: str, problems: list[tuple[str, str]]):
        self.filename = filename
        self.problems = list(problems) or [("", "invalid survey")]
        self.path, self.message = self.problems[0]
        super().__init__(str(self))

    def __str__(self) -> str:
        from survey.tabular import shorten

        shown = self.problems[: self.PROBLEMS_SHOWN]
        lines = [f"{self.filename}: {shorten(path, 200)}: {shorten(msg, 500)}" if path
                 else f"{self.filename}: {shorten(msg, 500)}" for path, msg in shown]
        if len(self.problems) > self.PROBLEMS_SHOWN:
            lines.append(f"{self.filename}: ... and {len(self.problems) - self.PROBLEMS_SHOWN} more problems")
        return "\n".join(lines)


@dataclass(frozen=True)
class Condition:
    """show_if: ``op`` is "equals" (value: bool/int/option key), "any_of" (value: tuple of
    option keys) or "answered" (value: bool)."""

    question: str
    op: str
    value: object


@dataclass(frozen=True)
class OptionSpec:
    key: str
    label: Text


@dataclass(frozen=True)
class SlotSpec:
    key: str
    label: Text
    days: tuple[int, ...]  # 0=Mon .. 6=Sun, sorted
    start: time
    end: time


DEFAULT_SLOTS: tuple[SlotSpec, ...] = (
    SlotSpec("weekday_evenings", {"sv": "Vardagskvällar", "en": "Weekday evenings"},
             (0, 1, 2, 3, 4), time(17), time(21)),
    SlotSpec("weekend_daytime", {"sv": "Helgdagar", "en": "Weekend daytime"}, (5, 6), time(10), time(16)),
    SlotSpec("weekend_evenings", {"sv": "Helgkvällar", "en": "Weekend evenings"}, (5, 6), time(17), time(21)),
)


@dataclass
class CalendarSpec:
    election_day: date
    weeks: int
    slots: list[SlotSpec] = field(default_factory=lambda: list(DEFAULT_SLOTS))


@dataclass
class ItemSpec:
    key: str | None
    type: str
    label: Text | None = None
    help: Text | None = None
    required: bool = False
    options: list[OptionSpec] = field(default_factory=list)
    min_choices: int | None = None
    max_choices: int | None = None
    min: int | None = None
    max: int | None = None
    max_length: int | None = None
    prefill: str | None = None
    profile: str | None = None
    show_if: Condition | None = None
    calendar: CalendarSpec | None = None

    @property
    def is_question(self) -> bool:
        return self.type != "text_block"


@dataclass
class SectionSpec:
    key: str
    title: Text
    intro: Text | None = None
    show_if: Condition | None = None
    items: list[ItemSpec] = field(default_factory=list)


@dataclass(kw_only=True)
class SurveySpec:
    format: str = FORMAT
    slug: str
    version: int
    title: Text
    intro: Text | None = None
    privacy_notice: Text | None = None
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    signature: str = "name_optional"
    sections: list[SectionSpec] = field(default_factory=list)

    def questions(self) -> list[ItemSpec]:
        return [it for s in self.sections for it in s.items if it.is_question]

    def question(self, key: str) -> ItemSpec | None:
        return next((q for q in self.questions() if q.key == key), None)


# ---------------------------------------------------------------- answers

def is_answered(value: object) -> bool:
    """An answer counts as given unless it is missing, blank or an empty collection.
    ``False`` (yes_no "no", unticked consent) and ``0`` are answers."""
    if value is None:
        return False
    if isinstance(value, str):
        return value.strip() != ""
    if isinstance(value, list | tuple | set | dict):
        return len(value) > 0
    return True


def condition_holds(cond: Condition, answers: dict[str, object]) -> bool:
    """Evaluate a show_if against stored answers (question key -> value, see the format doc)."""
    answer = answers.get(cond.question)
    if cond.op == "answered":
        return is_answered(answer) == bool(cond.value)
    if not is_answered(answer):
        return False
    if cond.op == "equals":
        want = cond.value
        if isinstance(want, bool) or isinstance(answer, bool):
            return isinstance(want, bool) and isinstance(answer, bool) and want is answer
        return type(answer) is type(want) and answer == want
    if cond.op == "any_of":
        if isinstance(answer, str):
            chosen = {answer}
        else:
            chosen = set(answer) if isinstance(answer, list | tuple) else set()
        return not chosen.isdisjoint(cond.value)
    raise ValueError(f"unknown condition op {cond.op!r}")


# ---------------------------------------------------------------- parse / dump

def _text(t: Text) -> dict:
    return {lang: t[lang] for lang in LANGUAGES if lang in t}


def condition_to_dict(c: Condition) -> dict:
    return {"question": c.question, c.op: list(c.value) if c.op == "any_of" else c.value}


def calendar_to_dict(cal: CalendarSpec) -> dict:
    return {
        "election_day": cal.election_day.isoformat(),
        "weeks": cal.weeks,
        "slots": [
            {"key": s.key, "label": _text(s.label), "days": [WEEKDAYS[i] for i in s.days],
             "start": s.start.strftime("%H:%M"), "end": s.end.strftime("%H:%M")}
            for s in cal.slots
        ],
    }


def _item_to_dict(it: ItemSpec) -> dict:
    if it.type == "text_block":
        d = {"key": it.key} if it.key else {}
        d["text"] = _text(it.label or {})
    else:
        d = {"key": it.key, "type": it.type, "label": _text(it.label or {})}
        if it.help:
            d["help"] = _text(it.help)
        if it.required:
            d["required"] = True
        if it.options:
            d["options"] = [{"key": o.key, "label": _text(o.label)} for o in it.options]
        for name in ("min_choices", "max_choices", "min", "max", "max_length", "prefill", "profile"):
            if getattr(it, name) is not None:
                d[name] = getattr(it, name)
        if it.calendar:
            d["calendar"] = calendar_to_dict(it.calendar)
    if it.show_if:
        d["show_if"] = condition_to_dict(it.show_if)
    return d


def spec_to_dict(spec: SurveySpec) -> dict:
    """A JSON-compatible dict in the YAML format (datetimes/dates/times as ISO strings)."""
    d: dict = {"format": spec.format, "slug": spec.slug, "version": spec.version, "title": _text(spec.title)}
    for name in ("intro", "privacy_notice"):
        if getattr(spec, name):
            d[name] = _text(getattr(spec, name))
    for name in ("opens_at", "closes_at"):
        if getattr(spec, name):
            d[name] = getattr(spec, name).isoformat()
    d["signature"] = spec.signature
    d["sections"] = []
    for s in spec.sections:
        sd: dict = {"key": s.key, "title": _text(s.title)}
        if s.intro:
            sd["intro"] = _text(s.intro)
        if s.show_if:
            sd["show_if"] = condition_to_dict(s.show_if)
        sd["items"] = [_item_to_dict(it) for it in s.items]
        d["sections"].append(sd)
    return d


class _Dumper(yaml.SafeDumper):
    def increase_indent(self, flow=False, indentless=False):
        return super().increase_indent(flow, False)  # indent lists under their key


def _represent_list(dumper: yaml.SafeDumper, data: list) -> yaml.Node:
    flow = bool(data) and all(isinstance(x, str | int) and len(str(x)) < 30 for x in data)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


def _represent_str(dumper: yaml.SafeDumper, data: str) -> yaml.Node:
    # PyYAML mangles some line breaks (NEL, LS, PS, CR) outside double quotes
    style = '"' if any(c in data for c in "\r\x85\u2028\u2029") else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_Dumper.add_representer(list, _represent_list)
_Dumper.add_representer(str, _represent_str)


def dump_spec(spec: SurveySpec) -> str:
    """YAML text for a spec; ``load_spec(dump_spec(spec)) == spec``."""
    return yaml.dump(spec_to_dict(spec), Dumper=_Dumper, sort_keys=False, allow_unicode=True,
                     default_flow_style=False, width=100)
