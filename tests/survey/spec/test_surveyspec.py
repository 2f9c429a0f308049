"""The survey file format: parsing, validation messages, round trips and conditions."""

from __future__ import annotations

import copy
import json
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from survey.spec import (
    DEFAULT_SLOTS,
    FORMAT,
    Condition,
    OptionSpec,
    SpecError,
    calendar_from_dict,
    condition_from_dict,
    condition_holds,
    dump_spec,
    load_spec,
    spec_from_dict,
    spec_to_dict,
)

DEFAULT_YAML = Path(__file__).resolve().parents[3] / "survey" / "surveys" / "default.yaml"
FILENAME = "enkät.yaml"

MINIMAL = """\
slug: test-survey
version: 1
title: Testenkät
sections:
  - key: first
    title: Första
    items:
      - text: Hej!
      - key: likes_cake
        type: yes_no
        label: Gillar du tårta?
      - key: colour
        type: single_choice
        label: Favoritfärg
        options:
          - {key: red, label: Röd}
          - {key: blue, label: Blå}
      - key: topics
        type: multiple_choice
        label: Ämnen
        options:
          - {key: "interest:climate", label: Klimat}
          - {key: "interest:housing", label: Bostäder}
      - key: age
        type: number
        label: Ålder
        min: 0
        max: 120
  - key: second
    title: Andra
    show_if: {question: likes_cake, equals: true}
    items:
      - key: cake
        type: text
        label: Vilken tårta?
"""


def base() -> dict:
    return yaml.safe_load(MINIMAL)


def mutated(change) -> str:
    d = base()
    change(d)
    return yaml.safe_dump(d, allow_unicode=True, sort_keys=False)


def item(d, s, i) -> dict:
    return d["sections"][s]["items"][i]


def load_error(text: str) -> SpecError:
    with pytest.raises(SpecError) as info:
        load_spec(text, FILENAME)
    return info.value


# ---------------------------------------------------------------- the default survey

@pytest.fixture(scope="module")
def default_spec():
    return load_spec(DEFAULT_YAML.read_text(encoding="utf-8"), str(DEFAULT_YAML))


def test_default_survey_loads(default_spec):
    s = default_spec
    assert (s.slug, s.version, s.signature, s.format) == ("valkampanj-2030", 1, "name_optional", FORMAT)
    assert s.opens_at is None and s.closes_at is None
    assert 8 <= len(s.sections) <= 10
    profiles = {q.profile: q.key for q in s.questions() if q.profile}
    assert set(profiles) == {"skills", "interests", "availability", "max_tasks", "hours", "travels",
                             "networks"}
    skills = s.question("skills")
    assert len(skills.options) == 17 and all(o.key.startswith("skill:") for o in skills.options)
    cal = s.question("availability").calendar
    assert (cal.election_day, cal.weeks, tuple(cal.slots)) == (date(2030, 9, 8), 8, DEFAULT_SLOTS)
    assert s.question("contact_method").required and s.question("consent").required
    best_time = s.question("best_time_to_call")
    assert best_time.show_if == Condition("contact_method", "any_of", ("contact:phone",))


def test_default_survey_is_bilingual(default_spec):
    texts = [default_spec.title, default_spec.intro, default_spec.privacy_notice]
    for sec in default_spec.sections:
        texts += [sec.title, sec.intro]
        for it in sec.items:
            texts += [it.label, it.help] + [o.label for o in it.options]
    for t in filter(None, texts):
        assert set(t) == {"sv", "en"}, t


def test_default_survey_round_trips(default_spec):
    text = dump_spec(default_spec)
    again = load_spec(text, "dumped.yaml")
    assert again == default_spec
    assert dump_spec(again) == text
    data = spec_to_dict(default_spec)
    assert spec_from_dict(json.loads(json.dumps(data)), "json") == default_spec  # JSON-compatible


# ---------------------------------------------------------------- small variations round trip

VARIATIONS = {
    "minimal": lambda d: None,
    "bilingual texts": lambda d: d.update(title={"sv": "Enkät", "en": "Survey"},
                                          intro={"sv": "Hej", "en": "Hi"}),
    "privacy and signature": lambda d: d.update(privacy_notice="Vi sparar svaren.",
                                                signature="name_and_contact"),
    "aware dates": lambda d: d.update(opens_at="2030-06-01T08:00:00+02:00", closes_at="2030-09-08T20:00:00Z"),
    "naive dates": lambda d: d.update(opens_at="2030-06-01 08:00", closes_at="2030-12-01T00:00:00"),
    "explicit format": lambda d: d.update(format=FORMAT),
    "help and required": lambda d: item(d, 0, 1).update(help={"sv": "Svara ärligt"}, required=True),
    "choice limits": lambda d: item(d, 0, 3).update(min_choices=1, max_choices=2),
    "open number": lambda d: (item(d, 0, 4).pop("min"), item(d, 0, 4).pop("max")),
    "prefill": lambda d: item(d, 1, 0).update(prefill="full_name", max_length=80),
    "keyed text block": lambda d: item(d, 0, 0).update(key="hello"),
    "long form text block": lambda d: d["sections"][0]["items"].__setitem__(
        0, {"type": "text_block", "label": {"sv": "Hej", "en": "Hi"}}),
    "conditional item": lambda d: item(d, 1, 0).update(show_if={"question": "colour", "any_of": ["red"]}),
    "answered condition": lambda d: d["sections"][1].update(show_if={"question": "age", "answered": True}),
    "number condition": lambda d: d["sections"][1].update(show_if={"question": "age", "equals": 30}),
    "choice condition": lambda d: d["sections"][1].update(show_if={"question": "colour", "equals": "blue"}),
    "all types": lambda d: d["sections"][1]["items"].extend([
        {"key": "story", "type": "long_text", "label": "Berätta"},
        {"key": "can", "type": "skill", "label": "Kan du", "profile": "skills",
         "options": [{"key": "skill:phoning", "label": "Ringa"}]},
        {"key": "tasks", "type": "single_choice", "label": "Hur många", "profile": "max_tasks",
         "options": [{"key": "tasks:1", "label": "En"}, {"key": "tasks:3", "label": "Tre"}]},
        {"key": "ok", "type": "consent", "label": "Jag godkänner", "required": True},
        {"key": "when", "type": "availability", "label": "När", "profile": "availability",
         "calendar": {"election_day": "2030-09-08", "weeks": 2, "slots": [
             {"key": "mornings", "label": {"sv": "Morgnar", "en": "Mornings"}, "days": ["sat", "mon"],
              "start": "08:00", "end": "11:30"}]}},
    ]),
}


@pytest.mark.parametrize("change", VARIATIONS.values(), ids=VARIATIONS.keys())
def test_variations_round_trip(change):
    spec = load_spec(mutated(change), FILENAME)
    assert load_spec(dump_spec(spec)) == spec
    assert spec_from_dict(spec_to_dict(spec)) == spec


def test_parsed_values():
    spec = load_spec(mutated(VARIATIONS["naive dates"]))
    assert spec.opens_at == datetime(2030, 6, 1, 8, tzinfo=ZoneInfo("Europe/Stockholm"))
    assert spec.opens_at.utcoffset() == timedelta(hours=2)
    assert spec.title == {"sv": "Testenkät"}
    assert spec.signature == "name_optional"
    block, yes_no = spec.sections[0].items[:2]
    assert (block.key, block.type, block.label) == (None, "text_block", {"sv": "Hej!"})
    assert (yes_no.required, yes_no.options, yes_no.max_length) == (False, [], None)
    assert spec.question("cake").max_length == 200  # default filled in
    aware = load_spec(mutated(VARIATIONS["aware dates"]))
    assert aware.closes_at == datetime(2030, 9, 8, 20, tzinfo=UTC)


def test_yaml_11_surprises_are_avoided():
    text = MINIMAL.replace("{key: blue, label: Blå}", "{key: blue, label: {sv: Nej, en: No}}")
    assert load_spec(text).question("colour").options[1].label == {"sv": "Nej", "en": "No"}
    text = MINIMAL + """\
      - key: when
        type: availability
        label: När?
        calendar:
          election_day: 2030-09-08
          weeks: 2
          slots:
            - {key: days, label: Dagtid, days: [sat, mon], start: 8:00, end: 17:00}
"""
    slot = load_spec(text).question("when").calendar.slots[0]
    assert (slot.start, slot.end, slot.days) == (time(8), time(17), (0, 5))  # 17:00 is not 1020


def test_default_slots_are_dumped_explicitly():
    change = lambda d: item(d, 1, 0).update(  # noqa: E731
        type="availability", calendar={"election_day": "2030-09-08", "weeks": 3})
    spec = load_spec(mutated(change))
    assert tuple(spec.question("cake").calendar.slots) == DEFAULT_SLOTS
    assert "weekend_evenings" in dump_spec(spec)
    assert load_spec(dump_spec(spec)) == spec


@settings(max_examples=40, deadline=None)
@given(st.text(min_size=1, max_size=40).filter(str.strip), st.text(min_size=1, max_size=40).filter(str.strip))
def test_any_text_round_trips(sv, en):
    spec = load_spec(MINIMAL)
    spec.title = {"sv": sv, "en": en}
    spec.sections[0].items[2].options[0] = OptionSpec("red", {"sv": en})
    assert load_spec(dump_spec(spec)) == spec


# ---------------------------------------------------------------- validation errors

def _set(path_fn, **kw):
    return lambda d: path_fn(d).update(**kw)


ERRORS = [
    # (id, change, path, message fragment)
    ("typo top level", lambda d: d.update(titel="x"), "titel",
     "unknown field 'titel' (did you mean 'title'?)"),
    ("typo in item", _set(lambda d: item(d, 0, 1), lable="x"), "sections[0].items[1].lable",
     "did you mean 'label'?"),
    ("allowed fields named", _set(lambda d: item(d, 0, 1), colour="x"), "sections[0].items[1].colour",
     "allowed fields: key, type, label, help, required, profile, show_if"),
    ("field not for type", _set(lambda d: item(d, 1, 0), min=1), "sections[1].items[0].min",
     "not allowed on a text item"),
    ("help on text block", _set(lambda d: item(d, 0, 0), help="x"), "sections[0].items[0].help",
     "not allowed on a text block"),
    ("missing field", lambda d: item(d, 0, 1).pop("label"), "sections[0].items[1].label",
     "missing required field"),
    ("missing key", lambda d: item(d, 0, 1).pop("key"), "sections[0].items[1].key", "missing required field"),
    ("bad key", _set(lambda d: item(d, 0, 1), key="LikesCake"), "sections[0].items[1].key", "invalid key"),
    ("key with newline", _set(lambda d: item(d, 0, 1), key="likes\n"), "sections[0].items[1].key",
     "invalid key"),
    ("duplicate question key", _set(lambda d: item(d, 1, 0), key="colour"), "sections[1].items[0].key",
     "duplicate question key 'colour'"),
    ("duplicate section key", _set(lambda d: d["sections"][1], key="first"), "sections[1].key",
     "duplicate section key 'first'"),
    ("duplicate option key", _set(lambda d: item(d, 0, 2)["options"][1], key="red"),
     "sections[0].items[2].options[1].key", "duplicate option key 'red'"),
    ("bad option key", _set(lambda d: item(d, 0, 2)["options"][1], key="Blue!"),
     "sections[0].items[2].options[1].key", "invalid key 'Blue!'"),
    ("too few options", lambda d: item(d, 0, 2)["options"].pop(), "sections[0].items[2].options",
     "at least 2"),
    ("options missing", lambda d: item(d, 0, 3).pop("options"), "sections[0].items[3].options",
     "needs options"),
    ("bad type", _set(lambda d: item(d, 0, 1), type="checkbox"), "sections[0].items[1].type",
     "unknown type 'checkbox'"),
    ("missing sv", _set(lambda d: item(d, 0, 1), label={"en": "Cake?"}), "sections[0].items[1].label.sv",
     "missing Swedish text"),
    ("other language", _set(lambda d: item(d, 0, 1), label={"sv": "Tårta?", "de": "Kuchen?"}),
     "sections[0].items[1].label.de", "unknown language 'de'"),
    ("empty text", _set(lambda d: d, title={"sv": " "}), "title.sv", "non-empty text"),
    ("bad slug", _set(lambda d: d, slug="Test Survey"), "slug", "invalid slug 'Test Survey'"),
    ("bad version", _set(lambda d: d, version=0), "version", "at least 1"),
    ("bad format", _set(lambda d: d, format="other/2"), "format", "unsupported format"),
    ("bad signature", _set(lambda d: d, signature="anonymus"), "signature", "did you mean 'anonymous'?"),
    ("closes before opens", _set(lambda d: d, opens_at="2030-09-01 10:00", closes_at="2030-08-01 10:00"),
     "closes_at", "must be after opens_at"),
    ("date without time", _set(lambda d: d, opens_at="2030-09-01"), "opens_at", "expected a date and time"),
    ("no sections", _set(lambda d: d, sections=[]), "sections", "non-empty list"),
    ("required not bool", _set(lambda d: item(d, 0, 1), required="yes"), "sections[0].items[1].required",
     "expected true or false"),
    ("min_choices too high", _set(lambda d: item(d, 0, 3), min_choices=3), "sections[0].items[3].min_choices",
     "between 0 and 2"),
    ("max below min choices", _set(lambda d: item(d, 0, 3), min_choices=2, max_choices=1),
     "sections[0].items[3].max_choices", "between 2 and 2"),
    ("max below min", _set(lambda d: item(d, 0, 4), min=10, max=5), "sections[0].items[4].max",
     "must not be less than min"),
    ("max_length zero", _set(lambda d: item(d, 1, 0), max_length=0), "sections[1].items[0].max_length",
     "between 1 and"),
    ("bad prefill", _set(lambda d: item(d, 1, 0), prefill="shoe_size"), "sections[1].items[0].prefill",
     "unknown prefill 'shoe_size'"),
    ("prefill on yes_no", _set(lambda d: item(d, 0, 1), prefill="email"), "sections[0].items[1].prefill",
     "not allowed on a yes_no item"),
    ("profile wrong type", _set(lambda d: item(d, 0, 1), profile="skills"), "sections[0].items[1].profile",
     "only fits skill questions, not yes_no"),
    ("profile twice", lambda d: (item(d, 0, 3).update(profile="interests"), item(d, 0, 2).update(
        type="multiple_choice", profile="interests")), "sections[0].items[3].profile",
     "only one question may have profile 'interests'"),
    ("max_tasks option keys", _set(lambda d: item(d, 0, 2), profile="max_tasks"),
     "sections[0].items[2].options[0].key", "needs option keys like tasks:3"),
    ("show_if same section", _set(lambda d: item(d, 0, 2),
                                  show_if={"question": "likes_cake", "answered": True}),
     "sections[0].items[2].show_if.question", "is in the same section"),
    ("show_if later section", _set(lambda d: item(d, 0, 2), show_if={"question": "cake", "answered": True}),
     "sections[0].items[2].show_if.question", "is in a later section (sections[1])"),
    ("show_if unknown question", _set(lambda d: d["sections"][1], show_if={"question": "likes_cak",
                                                                           "equals": True}),
     "sections[1].show_if.question", "no question 'likes_cak' in this survey (did you mean 'likes_cake'?)"),
    ("option not in question", _set(lambda d: d["sections"][1], show_if={"question": "colour",
                                                                         "any_of": ["blue", "green"]}),
     "sections[1].show_if.any_of[1]", "question 'colour' has no option 'green'"),
    ("equals option not in question", _set(lambda d: d["sections"][1], show_if={"question": "colour",
                                                                                "equals": "green"}),
     "sections[1].show_if.equals", "has no option 'green'"),
    ("equals wrong value type", _set(lambda d: d["sections"][1], show_if={"question": "likes_cake",
                                                                          "equals": "yes"}),
     "sections[1].show_if.equals", "is yes_no: expected true or false"),
    ("equals on number", _set(lambda d: d["sections"][1], show_if={"question": "age", "equals": True}),
     "sections[1].show_if.equals", "expected a whole number"),
    ("equals on multiple choice", _set(lambda d: d["sections"][1], show_if={"question": "topics",
                                                                            "equals": "interest:climate"}),
     "sections[1].show_if.equals", "equals works on yes_no, number and single_choice"),
    ("any_of on yes_no", _set(lambda d: d["sections"][1],
                              show_if={"question": "likes_cake", "any_of": ["x"]}),
     "sections[1].show_if.any_of", "any_of works on single_choice and multiple_choice"),
    ("two operators", _set(lambda d: d["sections"][1],
                           show_if={"question": "age", "equals": 1, "answered": True}),
     "sections[1].show_if", "exactly one of"),
    ("availability without calendar", _set(lambda d: item(d, 1, 0), type="availability"),
     "sections[1].items[0].calendar", "needs a calendar"),
    ("too many weeks", _set(lambda d: item(d, 1, 0), type="availability",
                            calendar={"election_day": "2030-09-08", "weeks": 27}),
     "sections[1].items[0].calendar.weeks", "between 1 and 26"),
    ("bad election day", _set(lambda d: item(d, 1, 0), type="availability",
                              calendar={"election_day": "2030-09-31", "weeks": 2}),
     "sections[1].items[0].calendar.election_day", "expected a date like 2030-09-08"),
    ("slot ends before start", _set(lambda d: item(d, 1, 0), type="availability", calendar={
        "election_day": "2030-09-08", "weeks": 2, "slots": [
            {"key": "late", "label": "Sent", "days": ["fri"], "start": "22:00", "end": "08:00"}]}),
     "sections[1].items[0].calendar.slots[0].end", "must be after start"),
    ("bad weekday", _set(lambda d: item(d, 1, 0), type="availability", calendar={
        "election_day": "2030-09-08", "weeks": 2, "slots": [
            {"key": "x", "label": "X", "days": ["mon", "tues"], "start": "10:00", "end": "12:00"}]}),
     "sections[1].items[0].calendar.slots[0].days[1]", "unknown day 'tues' (did you mean 'tue'?)"),
    ("bad time", _set(lambda d: item(d, 1, 0), type="availability", calendar={
        "election_day": "2030-09-08", "weeks": 2, "slots": [
            {"key": "x", "label": "X", "days": ["mon"], "start": "25:00", "end": "26:00"}]}),
     "sections[1].items[0].calendar.slots[0].start", "expected a time like 17:00"),
]


@pytest.mark.parametrize(("change", "path", "fragment"), [e[1:] for e in ERRORS], ids=[e[0] for e in ERRORS])
def test_validation_errors(change, path, fragment):
    err = load_error(mutated(change))
    assert (err.filename, err.path) == (FILENAME, path), err.problems
    assert fragment in err.message
    assert str(err).startswith(f"{FILENAME}: {path}: ")
    assert isinstance(err, ValueError)


def test_all_problems_are_reported():
    def change(d):
        d["slug"] = "X"
        item(d, 0, 1)["lable"] = "x"
        item(d, 1, 0)["type"] = "textt"
    err = load_error(mutated(change))
    assert [p for p, _ in err.problems] == ["slug", "sections[0].items[1].lable", "sections[1].items[0].type"]
    lines = str(err).splitlines()
    assert len(lines) == 3 and all(line.startswith(f"{FILENAME}: ") for line in lines)


def test_yaml_syntax_error_names_the_line():
    text = MINIMAL.replace("      - key: colour\n", "      - key: colour: red\n")
    err = load_error(text)
    assert err.path == "line 12" and "invalid YAML" in err.message
    assert str(err).startswith(f"{FILENAME}: line 12: invalid YAML")


def test_duplicate_yaml_key_is_an_error():
    err = load_error(MINIMAL.replace("version: 1\n", "version: 1\nversion: 2\n"))
    assert err.path == "line 3" and "duplicate key 'version'" in err.message


@pytest.mark.parametrize("text", ["", "# nothing\n", "- a list\n", "just a string\n"])
def test_not_a_survey(text):
    assert load_error(text).filename == FILENAME


# ---------------------------------------------------------------- hostile files

LAUGHS = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(9))
HOSTILE = {  # name -> (text, what the one line says)
    "billion laughs": (MINIMAL.replace("title:", "title: *j\nx:", 1) + LAUGHS, "anchors and aliases"),
    "an anchor alone": (MINIMAL.replace("title:", "title: &t", 1), "anchors and aliases"),
    "a merge key": (MINIMAL + "base: &b {x: 1}\nother:\n  <<: *b\n", "anchors and aliases"),
    "deep block mappings": ("".join("  " * i + f"k{i}:\n" for i in range(500)) + "  " * 500 + "v: 1\n",
                            "nested more than 32 levels deep"),
    "deep block sequences": ("".join("  " * i + "-\n" for i in range(500)) + "  " * 500 + "x\n",
                             "nested more than 32 levels deep"),
    "deep flow": ("slug: " + "[" * 100_000 + "]" * 100_000 + "\n", "nested more than 32 levels deep"),
    "deep flow mappings": ("slug: " + "{a: " * 50_000 + "1" + "}" * 50_000 + "\n", "nested more than 32"),
    "python object": ("!!python/object/apply:os.system ['echo hi']\n", "could not determine a constructor"),
    "python name": ("slug: !!python/name:os.system\n", "could not determine a constructor"),
    "too big": (MINIMAL + "#" * 1_000_001 + "\n", "larger than 1 MB"),
    "nul in text": (MINIMAL.replace("title:", "title: a\x00b\nx:", 1), "contains NUL bytes (binary file?)"),
}


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_files_are_one_line_refusals(name):
    text, words = HOSTILE[name]
    for data in (text, text.encode("utf-8")):
        err = load_error(data)
        assert len(err.problems) == 1 and words in str(err), str(err)[:500]
        assert str(err).startswith(f"{FILENAME}: ") and "\n" not in str(err) and len(str(err)) < 300


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_survey_files_in_unicode_encodings_load(encoding):
    assert load_spec(MINIMAL.encode(encoding), FILENAME) == load_spec(MINIMAL, FILENAME)


def test_bytes_that_are_not_text_are_refused():
    latin = str(load_error(MINIMAL.encode("cp1252")))
    assert latin == f"{FILENAME}: not UTF-8 text (invalid continuation byte at byte 43)"
    assert "NUL bytes" in str(load_error(MINIMAL.encode("utf-32-le")))  # no BOM: NULs in no UTF-16 pattern


def test_problem_reports_stay_short():
    huge = "x" * 300_000
    err = load_error(MINIMAL.replace("test-survey", huge, 1).replace("version: 1", f"version: {huge}", 1))
    assert len(err.problems) == 2 and len(str(err)) < 2000 and "…" in str(err)
    many = "".join(f"unknown_{n}: 1\n" for n in range(500))
    lines = str(load_error(MINIMAL + many)).splitlines()
    assert len(lines) == SpecError.PROBLEMS_SHOWN + 1
    assert lines[-1] == f"{FILENAME}: ... and 450 more problems"


# ---------------------------------------------------------------- conditions

YES = Condition("q", "equals", True)
NUM = Condition("q", "equals", 3)
RED = Condition("q", "equals", "red")
ANY = Condition("q", "any_of", ("red", "blue"))
ANSWERED = Condition("q", "answered", True)
UNANSWERED = Condition("q", "answered", False)

CONDITIONS = [
    (YES, True, True), (YES, False, False), (YES, None, False), (YES, 1, False),
    (Condition("q", "equals", False), False, True), (Condition("q", "equals", False), None, False),
    (NUM, 3, True), (NUM, 4, False), (NUM, True, False), (NUM, "3", False),
    (RED, "red", True), (RED, "blue", False),
    (ANY, "red", True), (ANY, "green", False), (ANY, ["green", "blue"], True), (ANY, ["green"], False),
    (ANY, [], False), (ANY, None, False),
    (ANSWERED, "text", True), (ANSWERED, "   ", False), (ANSWERED, "", False), (ANSWERED, None, False),
    (ANSWERED, False, True), (ANSWERED, 0, True), (ANSWERED, [], False), (ANSWERED, ["a"], True),
    (ANSWERED, {}, False), (ANSWERED, {"skill:it": 0}, True),
    (UNANSWERED, None, True), (UNANSWERED, "x", False),
]


@pytest.mark.parametrize(("cond", "answer", "expected"), CONDITIONS)
def test_condition_holds(cond, answer, expected):
    answers = {"other": "red"} if answer is None else {"q": answer, "other": "x"}
    assert condition_holds(cond, answers) is expected


def test_stored_parts_parse_back():
    stored = {"question": "colour", "any_of": ["red"]}
    assert condition_from_dict(stored) == Condition("colour", "any_of", ("red",))
    assert condition_from_dict({"question": "age", "equals": 3}) == Condition("age", "equals", 3)
    with pytest.raises(SpecError, match="exactly one of"):
        condition_from_dict({"question": "age"})
    spec = load_spec(mutated(VARIATIONS["all types"]))
    cal = spec.question("when").calendar
    stored = spec_to_dict(spec)["sections"][1]["items"][-1]["calendar"]
    assert calendar_from_dict(json.loads(json.dumps(stored))) == cal
    with pytest.raises(SpecError, match="calendar.weeks"):
        calendar_from_dict({"election_day": "2030-09-08", "weeks": 0})


def test_spec_from_dict_does_not_modify_input():
    d = base()
    before = copy.deepcopy(d)
    spec_from_dict(d)
    assert d == before


def test_documented_example_loads():
    doc = (DEFAULT_YAML.parents[2] / "docs" / "survey-format.md").read_text(encoding="utf-8")
    example = doc.split("## Complete example", 1)[1].split("```yaml\n", 1)[1].split("```", 1)[0]
    spec = load_spec(example, "survey-format.md")
    assert spec.slug == "hostmote-2030" and spec.signature == "anonymous"
    assert spec.opens_at.utcoffset() == timedelta(hours=2)
    assert load_spec(dump_spec(spec)) == spec
