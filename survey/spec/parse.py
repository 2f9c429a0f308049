"""Parsing and validation for survey specs (the public API is ``survey.spec``).

Every problem is collected with its path (``sections[2].items[0].options[3].key``) and
raised together as one SpecError. The YAML itself is read (and hostile files refused) in
``survey.spec.yamlfile``; single values are checked in ``survey.spec.values``, whole-survey rules in
``survey.spec.checks``; this module walks the structure.
"""

from __future__ import annotations

from survey.spec.checks import _CrossChecks
from survey.spec.model import (
    CHOICE_TYPES,
    CONDITION_OPS,
    DEFAULT_MAX_LENGTH,
    DEFAULT_SLOTS,
    FORMAT,
    ITEM_TYPES,
    KEY_RE,
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
)
from survey.spec.values import MAX_TEXT_LENGTH, _join, _Values
from survey.spec.yamlfile import _show, parse_yaml

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


class _Parser(_Values, _CrossChecks):
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
