"""Crafted POSTs to the survey pages: whatever the body, the answer is a page or a refusal, never a 500."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from survey.extensions import db
from survey.models import Answer
from survey.respond.forms import skill_field_name
from survey.spec import availability

LIMIT = 256 * 1024  # MAX_CONTENT_LENGTH: a bigger body is refused with 413 before any view runs


@pytest.mark.parametrize(
    "section, field, blank",
    [
        ("networks", "networks", ""),
        ("what_you_care_about", "interests", " "),
        ("trust", "trust_positions", ""),
        ("when_you_can", "availability", "\t"),
        ("how_much", "max_tasks", " "),
        ("what_you_can_do", "skills__0", " "),
    ],
)
def test_a_blank_choice_is_no_choice(client, personal_link, section, field, blank):
    _survey, _member, token = personal_link()
    r = client.post(f"/s/{token}/p/{section}", data={field: blank, "action": "save"})
    assert r.status_code == 302 and r.location.endswith("/saved")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Answer)) == 0


def test_a_blank_value_does_not_let_a_bad_one_through(client, personal_link):
    _survey, _member, token = personal_link()
    r = client.post(f"/s/{token}/p/networks", data={"networks": ["", "network:nope"], "action": "save"})
    assert r.status_code == 422 and "Välj bland alternativen som visas." in r.text
    r = client.post(
        f"/s/{token}/p/what_you_care_about", data={"interests": ["", "interest:climate"], "action": "save"}
    )
    assert r.status_code == 302
    db.session.expire_all()
    assert db.session.scalars(sa.select(Answer.value)).all() == [["interest:climate"]]


def _vocabulary(section) -> tuple[list[str], list[str]]:
    """The field names a section's page knows, and the values its questions accept."""
    names, values = [], []
    for q in section.questions:
        if not q.is_answerable:
            continue
        names += [skill_field_name(q, i) for i in range(len(q.options))] if q.type == "skill" else [q.key]
        values += [o.key for o in q.options]
        if q.type == "availability":
            values += sorted(availability.valid_cells(availability.calendar_from_dict(q.calendar)))[:20]
    return names or ["nothing"], values or ["nothing"]


ODD = st.text(st.characters(codec="utf-8"), max_size=40)  # NUL, controls, RTL marks, astral planes
VALUES = st.one_of(
    st.sampled_from(["", " ", "\t", "\x00", "None", "-1", "1e9", "٣", "9" * 30, "yes", "no", "y", "0", "2"]),
    ODD,
    st.integers(0, LIMIT + 1000).map(lambda n: "x" * n),  # up to and just past the size limit
    st.integers(0, 5000).map(lambda n: "ä" * n),
)


@st.composite
def _bodies(draw, vocabulary: dict[str, tuple[list[str], list[str]]]):
    """(section, [(name, value), ...]): mostly the section's own fields and options, some of everything."""
    section = draw(st.sampled_from(sorted(vocabulary)))
    names, values = vocabulary[section]
    name = st.one_of(st.sampled_from(names), st.sampled_from(names), st.just("action"), ODD)
    value = st.one_of(st.sampled_from(values), VALUES)
    body = draw(st.lists(st.tuples(name, value), max_size=12))  # duplicated and unknown fields too
    action = draw(st.sampled_from(["save", "next", "done", "back", None]))
    return section, body + ([("action", action)] if action else [])


def test_random_bodies_never_get_a_server_error(app, client, personal_link):
    survey, _member, token = personal_link()
    vocabulary = {s.key: _vocabulary(s) for s in survey.sections}
    app.config["WTF_CSRF_ENABLED"] = True  # the real check, with a real token from a page
    page = client.get(f"/s/{token}/p/{survey.sections[0].key}")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)

    # One app and one answer sheet for all examples, on purpose: answers saved by one body are what the
    # next pages render, so stored oddities get exercised too.
    @settings(
        max_examples=60,
        deadline=None,
        database=None,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
        ],
    )
    @given(case=_bodies(vocabulary), with_token=st.sampled_from([True] * 9 + [False]))
    def post(case, with_token):
        section, body = case
        data = MultiDict(body)
        if with_token:  # nine in ten: the rest check that a missing or wrong token is a plain 400
            data.setlist("csrf_token", [csrf])
        r = client.post(f"/s/{token}/p/{section}", data=data)
        assert r.status_code < 500, (section, body)
        if not with_token:
            assert r.status_code in (400, 413)
        assert client.get(f"/s/{token}/p/{section}").status_code < 500
        assert client.get(f"/s/{token}/review").status_code < 500

    post()
