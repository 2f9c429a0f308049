"""The survey's shared plan: read once per survey, never stale for a replaced survey, the same page as rows.

A survey page reads its sections, questions and options from a per-process plan (survey/respond/plan.py)
instead of the database (issue 12). These tests pin what that may never break: a replaced survey (same
slug, on SQLite possibly the same id) never gets the old plan, the page needs a handful of queries however
many questions it has, and a page shown from stored answers is exactly the page WTForms would show.
"""

from __future__ import annotations

import dataclasses
import random
import re

import pytest
import sqlalchemy as sa

from survey import spec as surveyspec
from survey.demo.answers import answer_survey
from survey.extensions import db
from survey.models import Survey, utcnow
from survey.respond import forms, links, plan, snapshot
from survey.respond import services as responses
from survey.respond.walk import Walk
from survey.spec import services as surveys
from tests.conftest import DEFAULT_SURVEY


def _skills_key(survey: Survey) -> str:
    return next(s.key for s in survey.sections if any(q.type == "skill" for q in s.questions))


def test_the_plan_is_built_once_and_shared(app, load_survey):
    survey = load_survey()
    first = plan.plan_for(survey)
    db.session.expire_all()
    again = plan.plan_for(db.session.get(Survey, survey.id))
    assert again is first
    assert [s.key for s in first.sections] == [s.key for s in survey.sections]
    assert first.key_by_question_id == {q.id: q.key for q in survey.questions()}


def test_plans_cannot_be_changed(app, load_survey):
    shared = plan.plan_for(load_survey())
    with pytest.raises(dataclasses.FrozenInstanceError):
        shared.sections[0].questions[0].required = True  # type: ignore[misc]


def test_a_replaced_survey_gets_its_own_plan(app, load_survey):
    old = load_survey()
    old_plan = plan.plan_for(old)
    text = DEFAULT_SURVEY.read_text(encoding="utf-8")
    spec = surveyspec.load_spec(text, "test.yaml")
    first = spec.sections[0]
    spec.sections[0] = dataclasses.replace(first, key="ny_forsta_sida")
    new, what = surveys.import_spec(spec)  # nobody has answered: the old survey is deleted and rebuilt
    db.session.commit()
    assert what == "replaced"
    new_plan = plan.plan_for(new)
    assert new_plan is not old_plan
    assert new_plan.sections[0].key == "ny_forsta_sida"


def test_a_page_takes_a_few_queries_however_many_questions(client, personal_link):
    survey, _member, token = personal_link()
    path = f"/s/{token}/p/{_skills_key(survey)}"
    assert client.get(path).status_code == 200  # the first request builds the plan
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    def driver(connection, statement, parameters):
        statements.append(statement)
        return execute(connection, statement, parameters)

    # Through SQLAlchemy on any of the app's engines, or straight through the driver (snapshot.execute).
    execute = snapshot.execute
    engines = list(db.engines.values())
    for engine in engines:
        sa.event.listen(engine, "before_cursor_execute", count)
    snapshot.execute = driver
    try:
        page = client.get(path)
    finally:
        snapshot.execute = execute
        for engine in engines:
            sa.event.remove(engine, "before_cursor_execute", count)
    assert page.status_code == 200
    # One statement: the link, its survey's identity, the answer sheet and its answers (snapshot.py).
    # The member is not read: the skills page asks nothing the registry knows.
    assert len(statements) == 1, statements
    assert not any("survey_questions" in s or "survey_options" in s for s in statements), statements


def _inputs(html: str) -> list[str]:
    return sorted(re.findall(r"<(?:input|textarea)[^>]*>", html))


def test_stored_answers_show_the_same_page_as_the_wtforms_form(app, client, personal_link):
    """Every page of the default survey, filled with answers, renders the same controls from the stored
    form as from WTForms fields given the same data (what the page showed before the stored form)."""
    from flask import render_template

    survey, _member, token = personal_link()

    link = links.resolve(token)
    submission = answer_survey(survey, link.member, random.Random(3), utcnow())
    db.session.commit()
    walk = Walk(link, responses.submission_for(link))
    assert walk.submission.id == submission.id
    checked = 0
    with app.test_request_context():
        for section in walk.sections():
            questions = walk.questions(section)
            stored = forms.stored_form(questions, walk.answers)
            wt = forms.build_form(section, questions, "sv", data=walk.answers)
            pages = [render_template("respond/page.html", walk=walk, section=section, form=f, errors={},
                                     token=token) for f in (stored, wt)]
            assert _inputs(pages[0]) == _inputs(pages[1]), section.key
            checked += pages[0].count(" checked")
    assert checked > 5  # the answers are on the pages: the comparison compared something


def test_a_repeat_visit_sets_no_cookie(client, personal_link):
    """Reading a page changes nothing of the member's session: no new cookie, no remember-cookie
    deletion (Flask-Login used to load, and then rewrite, the session on every survey page)."""
    survey, _member, token = personal_link()
    path = f"/s/{token}/p/{_skills_key(survey)}"
    assert client.get(path).headers.getlist("Set-Cookie")  # the first visit gets its CSRF session
    assert client.get(path).headers.getlist("Set-Cookie") == []
