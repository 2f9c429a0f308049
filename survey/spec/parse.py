"""Parsing and validation for survey specs (the public API is ``survey.spec``).

Every problem is collected with its path (``sections[2].items[0].options[3].key``) and
raised together as one SpecError.

A survey file is small and hand-written, so anything a hostile or broken file could use to exhaust
memory or the stack is refused with one line before any of it is built: more than MAX_FILE_BYTES, NUL
bytes, YAML anchors and aliases (the "billion laughs" expand a few lines into gigabytes), nesting
deeper than MAX_DEPTH. Values are quoted in messages through ``_show``, cut to a readable length.
"""

from __future__ import annotations

import difflib
import re
from datetime import date, datetime, time

import yaml

from survey.i18n import STOCKHOLM
from survey.spec.model import (
    CHOICE_TYPES,
    CONDITION_OPS,
    DEFAULT_MAX_LENGTH,
    DEFAULT_SLOTS,
    FORMAT,
    ITEM_TYPES,
    KEY_RE,
    LANGUAGES,
    OPTION_KEY_RE,
    PREFILLS,
    PROFILES,
    SIGNATURES,
    SLUG_RE,
    TASKS_OPTION_RE,
    WEEKDAYS,
    CalendarSpec,
    Condition,
    ItemSpec,
    OptionSpec,
    SectionSpec,
    SlotSpec,
    SpecError,
    SurveySpec,
    Text,
)
from survey.tabular import NotText, decode_text, shorten

LOCAL_TZ = STOCKHOLM
MAX_TEXT_LENGTH = 20000
MAX_FILE_BYTES = 1_000_000  # the default survey is 16 kB
MAX_DEPTH = 32  # the default survey nests 10 levels deep (sections[].items[].calendar.slots[].days[])

SURVEY_FIELDS = ("format", "slug", "version", "title", "intro", "privacy_notice", "opens_at",
                 "closes_at", "signature", "sections")
SECTION_FIELDS = ("key", "title", "intro", "show_if", "items")
COMMON_FIELDS = ("key", "type", "label", "help", "required", "profile", "show_if")
TYPE_FIELDS = {
    "text": ("max_length", "prefill"), "long_text": ("max_length", "prefill"),
    "number": ("min", "max", "prefill"),
    "yes_no": (), "consent": (), "single_choice": ("options",), "skill": ("options",),
    "multiple_choice": ("options", "min_choices", "max_choices"), "availability": ("calendar",),
}
ALL_ITEM_FIELDS = ("text", *COMMON_FIELDS, *dict.fromkeys(f for fs in TYPE_FIELDS.values() for f in fs))
TEXT_BLOCK_FIELDS = ("key", "text", "show_if")  # also accepted: type: text_block with label
CALENDAR_FIELDS = ("election_day", "weeks", "slots")
SLOT_FIELDS = ("key", "label", "days", "start", "end")
TIME_RE = re.compile(r"^([01]?[0-9]|2[0-3]):([0-5][0-9])$")


# ---------------------------------------------------------------- YAML

class _Loader(yaml.SafeLoader):
    """Safe loader without YAML 1.1 surprises: only true/false are booleans (so `en: No` stays
    text), only plain decimals are integers (so 17:00 is not 1020), dates stay strings (checked
    with a path by the parser), duplicate keys are errors. No anchors or aliases, and at most
    MAX_DEPTH levels: the composer recurses once per level, so a deep file would otherwise end
    in RecursionError."""

    def __init__(self, stream):
        super().__init__(stream)
        self.depth = 0

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise yaml.composer.ComposerError(
                None, None, "anchors and aliases (&name, *name) are not allowed in survey files",
                event.start_mark)
        if self.depth >= MAX_DEPTH:
            raise yaml.composer.ComposerError(
                None, None, f"nested more than {MAX_DEPTH} levels deep", event.start_mark)
        self.depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if isinstance(key, str | int | bool | date) and key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {_show(key)}", key_node.start_mark)
            seen.add(key) if isinstance(key, str | int | bool | date) else None
        return super().construct_mapping(node, deep)


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if not tag.endswith((":bool", ":int", ":float", ":timestamp"))]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
                              list("tTfF"))
_Loader.add_implicit_resolver("tag:yaml.org,2002:int", re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$"),
                              list("-+0123456789"))


def _show(value: object) -> str:
    """A value from the file as a message quotes it: repr(), cut to a readable length."""
    return shorten(repr(value), 80)


def decode(data: bytes, filename: str) -> str:
    """A survey file's text: UTF-8, or UTF-16 or UTF-32 with a BOM, or UTF-16 without one."""
    try:
        return decode_text(data)[0]
    except NotText as exc:
        if exc.reason == "nul":
            raise SpecError(filename, [("", "contains NUL bytes (binary file?)")]) from None
        raise SpecError(filename, [("", f"not UTF-8 text ({exc.detail})")]) from None


def parse_yaml(text: str | bytes, filename: str) -> object:
    """The file's YAML as plain data (bytes are decoded first); raises SpecError with one line."""
    if len(text) > MAX_FILE_BYTES:
        size = f"larger than {MAX_FILE_BYTES // 1_000_000} MB; a survey file is a few dozen kB"
        raise SpecError(filename, [("", size)])
    if isinstance(text, bytes):
        text = decode(text, filename)
    elif "\x00" in text:
        raise SpecError(filename, [("", "contains NUL bytes (binary file?)")])
    try:
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}" if mark else ""
        col = f" (column {mark.column + 1})" if mark else ""
        raise SpecError(filename, [(where, f"invalid YAML: {exc.problem or exc.context}{col}")]) from None
    except (yaml.YAMLError, ValueError, TypeError) as exc:
        raise SpecError(filename, [("", f"invalid YAML: {exc}")]) from None
    if data is None:
        raise SpecError(filename, [("", "the file is empty")])
    return data


# ---------------------------------------------------------------- helpers

def _suggest(name: object, allowed: tuple[str, ...] | list[str]) -> str:
    close = difflib.get_close_matches(str(name), list(allowed), n=1, cutoff=0.6)
    return f" (did you mean {_show(close[0])}?)" if close else ""


def _join(path: str, name: str | int) -> str:
    if isinstance(name, int):
        return f"{path}[{name}]"
    return f"{path}.{name}" if path else name


class _Parser:
    def __init__(self, filename: str):
        self.filename = filename
        self.problems: list[tuple[str, str]] = []

    def err(self, path: str, message: str) -> None:
        self.problems.append((path, message))

    def mapping(self, v, path, allowed, required=(), what="this", not_here=()) -> bool:
        if not isinstance(v, dict):
            self.err(path, f"expected a mapping with fields {', '.join(allowed)}")
            return False
        for k in v:
            if k in allowed:
                continue
            if k in not_here:
                self.err(_join(path, str(k)), f"field {_show(k)} is not allowed on {what}; "
                                              f"allowed fields: {', '.join(allowed)}")
            else:
                self.err(_join(path, str(k)), f"unknown field {_show(k)}{_suggest(k, allowed)}; "
                                              f"allowed fields: {', '.join(allowed)}")
        for k in required:
            if k not in v:
                self.err(_join(path, k), "missing required field")
        return True

    def text(self, v, path, required=True) -> Text | None:
        if v is None:
            if required:
                self.err(path, "missing required text")
            return None
        if isinstance(v, str):
            v = {"sv": v}
        if not isinstance(v, dict):
            self.err(path, "expected text: a string (Swedish) or a mapping with sv and optionally en"
                           " (put numbers in quotes)")
            return None
        out = {}
        for lang, s in v.items():
            if lang not in LANGUAGES:
                self.err(_join(path, str(lang)), f"unknown language {_show(lang)}; allowed: sv, en")
            elif not isinstance(s, str):
                self.err(_join(path, lang), f"expected text, got {_show(s)} (put numbers in quotes)")
            elif not s.strip():
                self.err(_join(path, lang), "expected non-empty text")
            else:
                out[lang] = s
        if "sv" not in v:
            self.err(_join(path, "sv"), "missing Swedish text (sv is required)")
        return {lang: out[lang] for lang in LANGUAGES if lang in out} if "sv" in out else None

    def key(self, v, path, regex=KEY_RE, example="lowercase_with_underscores") -> str | None:
        if not isinstance(v, str) or not regex.fullmatch(v):
            self.err(path, f"invalid key {_show(v)}: use {example}")
            return None
        return v

    def integer(self, v, path, lo=None, hi=None) -> int | None:
        if v is None:
            return None
        if not isinstance(v, int) or isinstance(v, bool):
            self.err(path, f"expected a whole number, got {_show(v)}")
            return None
        if (lo is not None and v < lo) or (hi is not None and v > hi):
            rng = f"at least {lo}" if hi is None else f"between {lo} and {hi}"
            self.err(path, f"must be {rng}, got {v}")
            return None
        return v

    def choice(self, v, path, allowed, what) -> str | None:
        if v not in allowed:
            self.err(path, f"unknown {what} {_show(v)}{_suggest(v, allowed)}; allowed: {', '.join(allowed)}")
            return None
        return v

    def day(self, v, path) -> date | None:
        if isinstance(v, date) and not isinstance(v, datetime):
            return v
        try:
            if isinstance(v, str) and len(v) == 10:
                return date.fromisoformat(v)
        except ValueError:
            pass
        self.err(path, f"expected a date like 2030-09-08, got {_show(v)}")
        return None

    def moment(self, v, path) -> datetime | None:
        if v is None:
            return None
        try:
            if isinstance(v, str) and len(v) > 10:
                v = datetime.fromisoformat(v)
            if not isinstance(v, datetime):
                raise ValueError
        except ValueError:
            self.err(path, f"expected a date and time like 2030-08-01T08:00:00+02:00, got {_show(v)}")
            return None
        return v if v.tzinfo else v.replace(tzinfo=LOCAL_TZ)

    # ------------------------------------------------------------ structure

    def survey(self, d) -> SurveySpec | None:
        if not self.mapping(d, "", SURVEY_FIELDS, ("slug", "version", "title", "sections")):
            return None
        fmt = d.get("format", FORMAT)
        if fmt != FORMAT:
            self.err("format", f"unsupported format {_show(fmt)}; expected {_show(FORMAT)}")
        slug = d.get("slug")
        if "slug" in d and not (isinstance(slug, str) and SLUG_RE.fullmatch(slug)):
            self.err("slug", f"invalid slug {_show(slug)}: "
                             "2-63 characters a-z, 0-9 and -, not starting with -")
        version = self.integer(d.get("version"), "version", 1)
        opens = self.moment(d.get("opens_at"), "opens_at")
        closes = self.moment(d.get("closes_at"), "closes_at")
        if opens and closes and closes <= opens:
            self.err("closes_at", f"closes_at ({closes.isoformat()}) must be after "
                                  f"opens_at ({opens.isoformat()})")
        spec = SurveySpec(
            format=FORMAT, slug=slug, version=version, title=self.text(d.get("title"), "title"),
            intro=self.text(d.get("intro"), "intro", False),
            privacy_notice=self.text(d.get("privacy_notice"), "privacy_notice", False),
            opens_at=opens, closes_at=closes,
            signature=self.choice(d.get("signature", "name_optional"), "signature", SIGNATURES, "signature"),
        )
        sections = d.get("sections")
        if "sections" in d and (not isinstance(sections, list) or not sections):
            self.err("sections", "expected a non-empty list of sections")
        elif sections:
            spec.sections = [self.section(s, f"sections[{i}]") for i, s in enumerate(sections)]
            self.cross_check(spec)
        return spec

    def section(self, d, path) -> SectionSpec:
        sec = SectionSpec(key=None, title=None)
        if not self.mapping(d, path, SECTION_FIELDS, ("key", "title", "items")):
            return sec
        sec.key = self.key(d.get("key"), _join(path, "key")) if "key" in d else None
        sec.title = self.text(d.get("title"), _join(path, "title")) if "title" in d else None
        sec.intro = self.text(d.get("intro"), _join(path, "intro"), False)
        sec.show_if = self.condition(d["show_if"], _join(path, "show_if")) if "show_if" in d else None
        items = d.get("items")
        if "items" in d and (not isinstance(items, list) or not items):
            self.err(_join(path, "items"), "expected a non-empty list of items")
        elif items:
            sec.items = [self.item(it, f"{path}.items[{i}]") for i, it in enumerate(items)]
        return sec

    def item(self, d, path) -> ItemSpec:
        if isinstance(d, dict) and "text" in d and "type" not in d:  # shorthand text block
            self.mapping(d, path, TEXT_BLOCK_FIELDS, what="a text block", not_here=ALL_ITEM_FIELDS)
            cond = self.condition(d["show_if"], _join(path, "show_if")) if "show_if" in d else None
            return ItemSpec(key=self.key(d["key"], _join(path, "key")) if "key" in d else None,
                            type="text_block", label=self.text(d["text"], _join(path, "text")), show_if=cond)
        if not isinstance(d, dict):
            self.mapping(d, path, COMMON_FIELDS)
            return ItemSpec(key=None, type="text_block")
        if "type" not in d:
            self.err(_join(path, "type"), f"missing required field; one of: {', '.join(ITEM_TYPES)} "
                                          f"(or write `text:` for a text block)")
            return ItemSpec(key=None, type="text_block")
        t = self.choice(d["type"], _join(path, "type"), ITEM_TYPES, "type")
        if t is None:
            return ItemSpec(key=None, type="text_block")
        if t == "text_block":
            allowed, required = ("key", "type", "label", "show_if"), ("label",)
        else:
            allowed, required = COMMON_FIELDS + TYPE_FIELDS[t], ("key", "type", "label")
        self.mapping(d, path, allowed, required, what=f"a {t} item", not_here=ALL_ITEM_FIELDS)
        p = lambda name: _join(path, name)  # noqa: E731
        it = ItemSpec(key=self.key(d["key"], p("key")) if "key" in d else None, type=t,
                      label=self.text(d.get("label"), p("label")) if "label" in d else None,
                      help=self.text(d.get("help"), p("help"), False),
                      show_if=self.condition(d["show_if"], p("show_if")) if "show_if" in d else None)
        if t == "text_block":
            return it
        req = d.get("required", False)
        if not isinstance(req, bool):
            self.err(p("required"), f"expected true or false, got {_show(req)}")
        it.required = req is True
        if "options" in d:
            it.options = self.options(d["options"], p("options"), t)
        elif t in CHOICE_TYPES:
            self.err(p("options"), f"missing required field: a {t} question needs options")
        if t == "multiple_choice":
            n = len(it.options)
            it.min_choices = self.integer(d.get("min_choices"), p("min_choices"), 0, n)
            it.max_choices = self.integer(d.get("max_choices"), p("max_choices"), it.min_choices or 0, n)
        if t == "number":
            it.min, it.max = self.integer(d.get("min"), p("min")), self.integer(d.get("max"), p("max"))
            if it.min is not None and it.max is not None and it.max < it.min:
                self.err(p("max"), f"max ({it.max}) must not be less than min ({it.min})")
        if t in DEFAULT_MAX_LENGTH:
            it.max_length = self.integer(d.get("max_length", DEFAULT_MAX_LENGTH[t]), p("max_length"),
                                         1, MAX_TEXT_LENGTH)
        if "prefill" in d:
            it.prefill = self.choice(d["prefill"], p("prefill"), PREFILLS, "prefill")
        if "profile" in d:
            it.profile = self.profile(d["profile"], p("profile"), it)
        if t == "availability":
            it.calendar = self.calendar(d["calendar"], p("calendar")) if "calendar" in d else None
            if "calendar" not in d:
                self.err(p("calendar"), "missing required field: an availability question needs a calendar")
        return it

    def options(self, v, path, t) -> list[OptionSpec]:
        if not isinstance(v, list) or len(v) < (2 if t == "single_choice" else 1):
            self.err(path, f"a {t} question needs at least {2 if t == 'single_choice' else 1} option(s)")
            return []
        out, seen = [], set()
        for i, o in enumerate(v):
            op = _join(path, i)
            if not self.mapping(o, op, ("key", "label"), ("key", "label")):
                continue
            key = self.key(o.get("key"), _join(op, "key"), OPTION_KEY_RE, "lowercase_words or prefix:word")
            if key in seen:
                self.err(_join(op, "key"), f"duplicate option key {_show(key)} in this question")
            seen.add(key)
            out.append(OptionSpec(key, self.text(o.get("label"), _join(op, "label"))))
        return out

    def profile(self, v, path, it: ItemSpec) -> str | None:
        kind = self.choice(v, path, tuple(PROFILES), "profile")
        if kind and it.type not in PROFILES[kind]:
            fits = " or ".join(PROFILES[kind])
            self.err(path, f"profile {_show(kind)} only fits {fits} questions, not {it.type}")
        elif kind == "max_tasks" and it.type == "single_choice":
            for i, o in enumerate(it.options):
                if not TASKS_OPTION_RE.fullmatch(o.key or ""):
                    self.err(_join(path.rsplit(".", 1)[0], f"options[{i}].key"),
                             f"profile 'max_tasks' needs option keys like tasks:3, got {_show(o.key)}")
        return kind

    def calendar(self, d, path) -> CalendarSpec | None:
        if not self.mapping(d, path, CALENDAR_FIELDS, ("election_day", "weeks")):
            return None
        cal = CalendarSpec(election_day=self.day(d.get("election_day"), _join(path, "election_day")),
                           weeks=self.integer(d.get("weeks"), _join(path, "weeks"), 1, 26))
        if "slots" not in d:
            cal.slots = list(DEFAULT_SLOTS)
        elif not isinstance(d["slots"], list) or not d["slots"]:
            self.err(_join(path, "slots"), "expected a non-empty list of slots "
                                           "(or leave slots out for the defaults)")
        else:
            cal.slots, seen = [], set()
            for i, s in enumerate(d["slots"]):
                sp = _join(_join(path, "slots"), i)
                if not self.mapping(s, sp, SLOT_FIELDS, SLOT_FIELDS):
                    continue
                key = self.key(s.get("key"), _join(sp, "key"))
                if key in seen:
                    self.err(_join(sp, "key"), f"duplicate slot key {_show(key)}")
                seen.add(key)
                days = s.get("days")
                if not isinstance(days, list) or not days:
                    self.err(_join(sp, "days"), f"expected a list of days from {', '.join(WEEKDAYS)}")
                    days = []
                nums = [self.choice(x, _join(sp, f"days[{j}]"), WEEKDAYS, "day") for j, x in enumerate(days)]
                start = self.clock(s.get("start"), _join(sp, "start"))
                end = self.clock(s.get("end"), _join(sp, "end"))
                if start and end and end <= start:
                    self.err(_join(sp, "end"), f"end ({end:%H:%M}) must be after start ({start:%H:%M})")
                cal.slots.append(SlotSpec(key, self.text(s.get("label"), _join(sp, "label")),
                                          tuple(sorted({WEEKDAYS.index(n) for n in nums if n})), start, end))
        return cal

    def clock(self, v, path) -> time | None:
        m = TIME_RE.fullmatch(v) if isinstance(v, str) else None
        if not m:
            self.err(path, f"expected a time like 17:00, got {_show(v)}")
            return None
        return time(int(m.group(1)), int(m.group(2)))

    def condition(self, d, path) -> Condition | None:
        if not self.mapping(d, path, ("question",) + CONDITION_OPS, ("question",)):
            return None
        ops = [op for op in CONDITION_OPS if op in d]
        if len(ops) != 1:
            self.err(path, "a condition needs exactly one of: " + ", ".join(CONDITION_OPS))
            return None
        op, value = ops[0], d[ops[0]]
        if op == "any_of":
            value = tuple(value) if isinstance(value, list) else value
        return Condition(d.get("question"), op, value)

    # ------------------------------------------------------------ whole-survey rules

    def cross_check(self, spec: SurveySpec) -> None:
        where: dict[str, tuple[int, ItemSpec]] = {}
        sections_seen: set[str] = set()
        profiles: dict[str, str] = {}
        for si, sec in enumerate(spec.sections):
            sp = f"sections[{si}]"
            if sec.key is not None and sec.key in sections_seen:
                self.err(_join(sp, "key"), f"duplicate section key {_show(sec.key)}")
            sections_seen.add(sec.key)
            for ii, it in enumerate(sec.items):
                ip = _join(_join(sp, "items"), ii)
                if it.key is None:
                    continue
                if it.key in where:
                    self.err(_join(ip, "key"), f"duplicate question key {_show(it.key)} "
                                               f"(also used in sections[{where[it.key][0]}])")
                else:
                    where[it.key] = (si, it)
                if it.profile in profiles:
                    self.err(_join(ip, "profile"), f"only one question may have profile {_show(it.profile)}; "
                                                   f"{_show(profiles[it.profile])} already has it")
                elif it.profile:
                    profiles[it.profile] = it.key
        for si, sec in enumerate(spec.sections):
            sp = f"sections[{si}]"
            self.check_condition(sec.show_if, _join(sp, "show_if"), si, where)
            for ii, it in enumerate(sec.items):
                self.check_condition(it.show_if, _join(_join(_join(sp, "items"), ii), "show_if"), si, where)

    def check_condition(self, c: Condition | None, path, si, where) -> None:
        if c is None:
            return
        qp = _join(path, "question")
        earlier = ("a condition can only refer to questions in earlier sections "
                   "(answers are checked between pages)")
        if not isinstance(c.question, str) or c.question not in where:
            keys = [k for k, (qsi, _) in where.items() if qsi < si]
            self.err(qp, f"no question {_show(c.question)} in this survey{_suggest(c.question, keys)}")
            return
        qsi, q = where[c.question]
        if qsi >= si:
            place = "the same section" if qsi == si else f"a later section (sections[{qsi}])"
            self.err(qp, f"question {_show(c.question)} is in {place}; {earlier}")
            return
        if q.type == "text_block":
            self.err(qp, f"{_show(c.question)} is a text block, not a question")
            return
        vp, option_keys = _join(path, c.op), [o.key for o in q.options]
        if c.op == "answered":
            if not isinstance(c.value, bool):
                self.err(vp, f"expected true or false, got {_show(c.value)}")
        elif c.op == "any_of":
            if q.type not in ("single_choice", "multiple_choice"):
                self.err(vp, f"any_of works on single_choice and multiple_choice questions, not {q.type}")
            elif not isinstance(c.value, tuple) or not c.value:
                self.err(vp, "expected a non-empty list of option keys")
            else:
                for i, k in enumerate(c.value):
                    if k not in option_keys:
                        self.err(_join(vp, i), f"question {_show(c.question)} has no option {_show(k)}"
                                               f"{_suggest(k, option_keys)}; "
                                               f"options: {', '.join(option_keys)}")
        elif q.type == "yes_no":
            if not isinstance(c.value, bool):
                self.err(vp, f"question {_show(c.question)} is yes_no: "
                             f"expected true or false, got {_show(c.value)}")
        elif q.type == "number":
            if not isinstance(c.value, int) or isinstance(c.value, bool):
                self.err(vp, f"question {_show(c.question)} is a number: "
                             f"expected a whole number, got {_show(c.value)}")
        elif q.type == "single_choice":
            if c.value not in option_keys:
                self.err(vp, f"question {_show(c.question)} has no option {_show(c.value)}"
                             f"{_suggest(c.value, option_keys)}; options: {', '.join(option_keys)}")
        else:
            self.err(vp, f"equals works on yes_no, number and single_choice questions, not {q.type}; "
                         f"use answered or any_of")


def parse_spec(data: object, filename: str = "<survey>") -> SurveySpec:
    p = _Parser(filename)
    spec = p.survey(data)
    if p.problems:
        raise SpecError(filename, p.problems)
    return spec


def parse_part(kind: str, data: object, path: str, filename: str):
    """Parse one stored part of a spec ("condition" or "calendar") on its own."""
    p = _Parser(filename)
    result = getattr(p, kind)(data, path)
    if kind == "condition" and result is not None:
        if not isinstance(result.question, str) or not KEY_RE.fullmatch(result.question):
            p.err(_join(path, "question"), f"invalid question key {_show(result.question)}")
        if result.op == "any_of" and not (isinstance(result.value, tuple) and result.value):
            p.err(_join(path, "any_of"), "expected a non-empty list of option keys")
    if p.problems or result is None:
        raise SpecError(filename, p.problems)
    return result


# ---------------------------------------------------------------- the public entry points

def spec_from_dict(data: object, filename: str = "<survey>") -> SurveySpec:
    """Validate already-parsed YAML data (or a ``spec_to_dict`` result); raises SpecError."""
    return parse_spec(data, filename)


def load_spec(text: str | bytes, filename: str = "<survey>") -> SurveySpec:
    """Parse and validate a survey file (its bytes, or its text); raises SpecError listing every problem.

    Bytes are decoded here (UTF-8, UTF-16 or UTF-32), so pass them when reading a file people hand in.
    """
    return parse_spec(parse_yaml(text, filename), filename)


def condition_from_dict(data: object, filename: str = "<condition>") -> Condition:
    """A show_if mapping as written in the file (and stored by ``spec_to_dict``) -> Condition.
    Checks the shape only (which question exists is checked by ``load_spec``); raises SpecError."""
    return parse_part("condition", data, "show_if", filename)


def calendar_from_dict(data: object, filename: str = "<calendar>") -> CalendarSpec:
    """A calendar mapping as written in the file (and stored by ``spec_to_dict``) -> CalendarSpec;
    raises SpecError."""
    return parse_part("calendar", data, "calendar", filename)
