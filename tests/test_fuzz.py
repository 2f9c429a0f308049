"""Fuzzing what people hand in: registry files, survey files and form posts to every organizer page.

Whatever the input, the answer is a result or a refusal that names the problem (RegistryFileError,
SpecError, a 4xx page), never a crash (any other exception, a 500). Hypothesis keeps the examples small
and the cases it found; `derandomize` keeps CI repeatable.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from survey.extensions import db
from survey.registry.read import ALIASES, RegistryFileError
from survey.registry.services import import_registry
from survey.spec.model import SpecError
from survey.spec.parse import load_spec
from tests.conftest import DEFAULT_SURVEY

FAST = settings(max_examples=40, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

CELLS = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["=HYPERLINK(\"http://x\")", "+46 70 123", "0701234567", "851 70", "", " ", "\x00",
                     "Sundsvall", "Timrå", "2030-02-30", "1899-01-01", "ja", "nej", "é" * 300, "\"", ";",
                     "\t"]),
)
HEADERS = st.lists(st.one_of(st.sampled_from([a for aliases in ALIASES.values() for a in aliases]),
                             st.text(max_size=12)), min_size=1, max_size=10)


@st.composite
def registry_files(draw) -> bytes:
    if draw(st.booleans()) and draw(st.booleans()):
        return draw(st.binary(max_size=400))  # not a table at all
    headers = draw(HEADERS)
    sep = draw(st.sampled_from([";", ",", "\t", "|"]))
    rows = draw(st.lists(st.lists(CELLS, min_size=0, max_size=len(headers) + 2), max_size=8))
    text = "\n".join(sep.join(line) for line in [headers, *rows])
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "latin-1", "cp1252"]))
    return text.encode(encoding, errors="replace")


@pytest.fixture
def sqlite_ctx(sqlite_app):
    with sqlite_app.app_context():
        yield


@FAST
@given(data=registry_files(), name=st.sampled_from(["medlemmar.csv", "export.xlsx", "lista.txt", "x.tsv"]))
def test_any_registry_file_is_imported_or_refused_by_name(sqlite_ctx, data, name):
    try:
        result = import_registry(data, name, dry_run=True)
    except RegistryFileError as exc:
        assert name in str(exc)  # names the file, then what is wrong
    else:
        assert result.rows >= 0
    finally:
        db.session.rollback()


DEFAULT_LINES = DEFAULT_SURVEY.read_text(encoding="utf-8").splitlines()


ODD_VALUES = ["", "[]", "{}", "-1", "null", "yes", "&a [*a]", "!!python/object:os.system", "x" * 500]


@st.composite
def mutated_surveys(draw) -> str:
    """The shipped survey with a few lines dropped, doubled, re-indented or given another value."""
    lines = list(DEFAULT_LINES)
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["drop", "double", "indent", "value", "garbage"]))
        if action == "drop":
            del lines[i]
        elif action == "double":
            lines.insert(i, lines[i])
        elif action == "indent":
            lines[i] = " " * draw(st.integers(0, 9)) + lines[i].lstrip()
        elif action == "value" and ":" in lines[i]:
            key = lines[i].split(":", 1)[0]
            lines[i] = f"{key}: {draw(st.sampled_from(ODD_VALUES))}"
        else:
            lines[i] = draw(st.text(max_size=20))
    return "\n".join(lines)


@FAST
@given(text=mutated_surveys())
def test_any_survey_file_loads_or_lists_its_problems(text):
    try:
        spec = load_spec(text, "enkät.yaml")
    except SpecError as exc:
        assert "enkät.yaml" in str(exc)
    else:
        assert spec.sections


FIELD_NAMES = ["title", "association", "associations", "survey", "action", "member", "members", "shift",
               "week", "keep", "email", "role", "password", "code", "next", "status", "q", "kind", "slots",
               "start", "end", "date", "place", "notes", "outcome", "note", "callback_at", "message", "file",
               "target-skill", "target-free_week", "target-joined_within", "goal", "cooldown_hours",
               "opens_at", "closes_at", "callers", "dry_run", "full", "strict", "limit", "confirm", "fmt"]
VALUES = ["", "1", "0", "-1", "999999999999999999999", "x", "ja", "=1+1", "2030-08-19", "2030-08-19T18:00",
          "\x00", "å" * 3000, "sundsvall", "accept", "reject", "save", "count", "publish", "null", "[]"]


def _bodies(rng, n: int):
    for _ in range(n):
        body = []
        for _ in range(rng.randrange(0, 8)):
            body.append((rng.choice(FIELD_NAMES), rng.choice(VALUES)))
        yield body


@pytest.mark.parametrize("backend", ["sqlite"])  # the views are the same on both; keep the suite fast
def test_random_posts_to_every_organizer_page_never_crash(client, login_as, load_survey, make_member):
    """Every POST route the app has (ids filled with 1), as an admin, with random form bodies: 4xx or a
    page, never a 500. Routes with token addresses are covered by their own fuzz tests (respond)."""
    import random

    from werkzeug.datastructures import MultiDict

    load_survey()
    make_member("Fuzz", "Testsson", association="Sundsvall")
    login_as("admin")
    rng = random.Random(11)
    crashed, statuses = [], {}
    rules = [r for r in client.application.url_map.iter_rules()
             if "POST" in (r.methods or ()) and not r.rule.startswith(("/s/", "/t/", "/u/", "/o/"))
             and r.endpoint not in ("admin.logout",)]
    assert len(rules) > 30
    for rule in rules:
        values = {}
        for arg in rule.arguments:
            converter = rule._converters[arg].__class__.__name__
            values[arg] = 1 if "Integer" in converter else {"slug": "sundsvall", "scope": "sundsvall",
                                                            "fmt": "csv"}.get(arg, "x")
        try:
            url = rule.build(values, append_unknown=False)[1]
        except Exception:  # noqa: BLE001 - a rule we cannot fill in is not what this test is about
            continue
        for body in _bodies(rng, 5):
            response = client.post(url, data=MultiDict(body))
            statuses[response.status_code // 100] = statuses.get(response.status_code // 100, 0) + 1
            if response.status_code >= 500:
                crashed.append(f"{response.status_code} POST {url} {body!r}")
            db.session.rollback()
    assert not crashed, "\n".join(crashed[:20])
    assert statuses.get(2, 0) + statuses.get(3, 0) > 50, statuses  # many bodies got past the first check
