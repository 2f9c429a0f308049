"""The request's language and its translations, looked up once per locale instead of on every string.

Flask-Babel's `get_translations()` walks `g` five times and formats the locale's name (`str(Locale)`) on
each call, and templates call it for every `_()`: about 7 of a survey page's 27 us per translated string
(issue 12; the survey pages are the app's hottest path). Flask-Babel keeps the request's locale object on
its namespace in `g` (`babel_locale`, set by `get_locale()`, replaced by `force_locale()` and dropped by
`refresh()`); this module remembers the translations and the language code *for that object*, so a forced
or refreshed locale is seen at once: the object differs, and the answer is Flask-Babel's again.
"""

from __future__ import annotations

from flask import Flask, g
from flask_babel import get_locale, get_translations

_MEMO = "kk_lang_memo"  # on Flask-Babel's namespace: (locale object, its translations, its code)


def _memo():
    """(locale, translations, code) for the locale Flask-Babel holds now; None outside a request."""
    namespace = g.get("_flask_babel") if g else None
    locale = getattr(namespace, "babel_locale", None)
    if locale is None:  # the first lookup of the request (or after refresh()): Flask-Babel decides
        locale = get_locale()
        if locale is None:
            return None
        namespace = g._flask_babel
    memo = namespace.__dict__.get(_MEMO)
    if memo is None or memo[0] is not locale:
        memo = (locale, get_translations(), str(locale))
        setattr(namespace, _MEMO, memo)
    return memo


def translations():
    """Flask-Babel's translations for this request's locale."""
    memo = _memo()
    return get_translations() if memo is None else memo[1]


def lang_code(default: str = "sv") -> str:
    """The request's language code ("sv", "en"); `default` outside a request."""
    memo = _memo()
    return default if memo is None else memo[2]


def init_app(app: Flask) -> None:
    """Templates' `_()` and `ngettext()` through the remembered translations (after Babel's init_app,
    which installs its own uncached ones)."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
        newstyle=True,
    )
