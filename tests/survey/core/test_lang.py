"""The remembered language and translations (survey/core/lang.py) always give what Flask-Babel gives.

What may never break: a forced locale (mails and print-outs in a member's language, rendered during
someone else's request) is seen at once and undone with the block; the templates' `_()` follows it; and
outside a request the language is Swedish, as before.
"""

from __future__ import annotations

from flask import render_template_string, session
from flask_babel import force_locale, get_locale, refresh

from survey.core.lang import lang_code, translations


def test_the_request_language_and_a_forced_one(app):
    with app.test_request_context("/?lang=en"):
        assert lang_code() == "en" == str(get_locale())
        assert translations().ugettext("Nästa") == "Next"
        with force_locale("sv"):
            assert lang_code() == "sv"
            assert translations().ugettext("Nästa") == "Nästa"
            assert render_template_string('{{ _("Nästa") }}') == "Nästa"
        assert lang_code() == "en"
        assert translations().ugettext("Nästa") == "Next"
        assert render_template_string('{{ _("Nästa") }}') == "Next"


def test_a_refresh_asks_flask_babel_again(app):
    with app.test_request_context("/"):
        session["lang"] = "en"
        assert lang_code() == "en"
        session["lang"] = "sv"
        assert lang_code() == "en"  # the request's language stays what it was, as Flask-Babel's does
        refresh()  # drops Flask-Babel's locale: the next lookup asks the selector again
        assert lang_code() == "sv" == str(get_locale())
        assert translations().ugettext("Nästa") == "Nästa"
        with force_locale("en"):
            refresh()  # under force_locale, Flask-Babel keeps the forced one
            assert lang_code() == "en" == str(get_locale())


def test_outside_a_request_the_language_is_swedish(app):
    assert lang_code() == "sv"  # the test's app context, no request: the CLI's and the jobs' case
    assert translations().ugettext("Nästa") == "Nästa"
    with force_locale("en"):
        assert lang_code() == "en"
        assert app.jinja_env.from_string('{{ _("Nästa") }}').render() == "Next"
    assert lang_code() == "sv"


def test_with_no_app_at_all_the_default_is_given():
    assert lang_code() == "sv"
    assert lang_code("en") == "en"
