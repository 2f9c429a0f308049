"""Compiled skill rows and availability grids: exactly what the macro renders, for any answers, errors and
language."""

from __future__ import annotations

import dataclasses
import random
from types import SimpleNamespace

from flask import render_template_string

from survey.respond import forms, fragments, plan

PAGE = ('{% from "respond/_fields.html" import question with context %}'
        "{{ question_html(question, q, form, errors, calendar_weeks, lang) }}")
MACRO = ('{% from "respond/_fields.html" import question with context %}'
         "{{ question(q, form, errors, calendar_weeks) }}")


def _skill_question(survey, type_="skill"):
    return next(q for q in plan.plan_for(survey).questions() if q.type == type_)


def test_the_compiled_rows_equal_the_macro_for_any_answers(app, load_survey):
    q = _skill_question(load_survey())
    rng = random.Random(5)
    for lang in ("sv", "en"):
        with app.test_request_context(f"/?lang={lang}"):
            for _ in range(20):
                levels = {o.key: rng.choice([0, 1, 2, None]) for o in q.options}
                answers = {q.key: {k: v for k, v in levels.items() if v is not None}}
                form = forms.stored_form([q], answers)
                fast = render_template_string(PAGE, q=q, form=form, errors={}, lang=lang)
                slow = render_template_string(MACRO, q=q, form=form, errors={})
                assert fast == slow
                assert fast.count(" checked") == sum(v is not None for v in levels.values())


def test_the_compiled_grid_equals_the_macro_for_any_answers(app, load_survey):
    q = _skill_question(load_survey(), "availability")
    cells = sorted(forms.availability_cells(q))
    rng = random.Random(8)
    for lang in ("sv", "en"):
        with app.test_request_context(f"/?lang={lang}"):
            for n in (0, 1, 5, len(cells)):
                chosen = sorted(rng.sample(cells, n))
                form = forms.stored_form([q], {q.key: chosen} if chosen else {})
                fast = render_template_string(PAGE, q=q, form=form, errors={}, lang=lang)
                assert fast == render_template_string(MACRO, q=q, form=form, errors={})
                assert fast.count(" checked") == n
    assert (id(q), "sv") in fragments._CACHE


def test_a_question_with_an_error_and_a_posted_form_render_as_the_macro_does(app, load_survey):
    q = _skill_question(load_survey())
    with app.test_request_context("/", method="POST", data={f"{q.key}__0": "2", f"{q.key}__1": "7"}):
        from flask import request

        # WTForms, as a page sent back with errors has it.
        posted = forms.build_form(SimpleNamespace(key="s"), [q], "sv", formdata=request.form)
        errors = forms.shape_errors(posted)
        assert errors  # "7" is no level
        for errs in (errors, {}):
            fast = render_template_string(PAGE, q=q, form=posted, errors=errs, lang="sv")
            slow = render_template_string(MACRO, q=q, form=posted, errors=errs)
            assert fast == slow


def test_a_label_with_a_marker_is_never_compiled(app, load_survey):
    q = _skill_question(load_survey())
    odd = dataclasses.replace(q, options=(dataclasses.replace(q.options[0], label={"sv": "a\x00b"}),
                                          *q.options[1:]))
    with app.test_request_context("/"):
        form = forms.stored_form([odd], {odd.key: {odd.options[1].key: 2}})
        fast = render_template_string(PAGE, q=odd, form=form, errors={}, lang="sv")
        assert fast == render_template_string(MACRO, q=odd, form=form, errors={})
    assert (id(odd), "sv") not in fragments._CACHE


def test_typed_answers_fill_the_compiled_question_as_the_macro_does(app, load_survey):
    """Text, long text and number questions: the stored value goes where the macro writes it, escaped."""
    typed = [q for q in plan.plan_for(load_survey()).questions() if q.type in fragments.TYPED]
    assert {q.type for q in typed} >= {"text"}
    values = [None, "", "Lisa", 'a "quoted" <b>bold</b> & \'x\'', "Åsa Öberg\nrad två", 42]
    for lang in ("sv", "en"):
        with app.test_request_context(f"/?lang={lang}"):
            for q in typed:
                for value in values:
                    form = forms.stored_form([q], {} if value is None else {q.key: value})
                    fast = render_template_string(PAGE, q=q, form=form, errors={}, lang=lang)
                    assert fast == render_template_string(MACRO, q=q, form=form, errors={}), (q.key, value)
                    assert "\x00" not in fast
                    if isinstance(value, str) and "<b>" in value:
                        assert "&lt;b&gt;" in fast and "<b>" not in fast
                assert (id(q), lang) in fragments._CACHE


def test_a_posted_typed_answer_is_shown_by_the_macro(app, load_survey):
    """What a POST typed (WTForms' raw data) is what a page sent back shows, so it is never compiled."""
    q = next(q for q in plan.plan_for(load_survey()).questions() if q.type == "text")
    with app.test_request_context("/", method="POST", data={q.key: "  typed  "}):
        from flask import request

        posted = forms.build_form(SimpleNamespace(key="s"), [q], "sv", formdata=request.form)
        fast = render_template_string(PAGE, q=q, form=posted, errors={}, lang="sv")
        assert fast == render_template_string(MACRO, q=q, form=posted, errors={})
        assert "typed" in fast
