"""The section form class cache: reused for the same questions, never stale for changed ones."""

from types import SimpleNamespace

from survey.respond import forms


def _question(key="q1", type_="text", max_length=10, options=()):
    return SimpleNamespace(key=key, type=type_, max_length=max_length, min_value=None, max_value=None,
                           options=[SimpleNamespace(key=k) for k in options], calendar=None,
                           is_answerable=True)


def test_same_questions_reuse_the_class_and_get_their_own_rows(app):
    section = SimpleNamespace(key="s")
    first, second = _question(), _question()
    with app.test_request_context():
        a = forms.build_form(section, [first], "sv")
        b = forms.build_form(section, [second], "sv")
    assert type(a) is type(b)
    assert a.questions["q1"] is first and b.questions["q1"] is second


def test_a_changed_question_gets_a_new_class(app):
    section = SimpleNamespace(key="s")
    with app.test_request_context():
        short = forms.build_form(section, [_question(max_length=10)], "sv", formdata=None)
        long = forms.build_form(section, [_question(max_length=99)], "sv")
        choice = forms.build_form(section, [_question(type_="single_choice", options=("a",))], "sv")
        more = forms.build_form(section, [_question(type_="single_choice", options=("a", "b"))], "sv")
    assert len({type(short), type(long), type(choice), type(more)}) == 4
    assert [c for c in more.q1.choices] != [c for c in choice.q1.choices]
