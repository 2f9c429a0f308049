"""What every room's pages share: template filters and globals, the error page."""

from __future__ import annotations

import functools
from datetime import datetime

import pyphen
from flask import Flask, render_template, request, session, url_for
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from survey.core.lang import lang_code
from survey.models import Question
from survey.spec import availability
from survey.spec.services import STOCKHOLM


def init_app(app: Flask) -> None:
    """Template helpers and the error page every room shares (the factory registers the blueprints)."""
    app.add_template_filter(translate, "t")
    app.add_template_filter(local_time, "local")
    app.add_template_filter(soft_hyphens, "soft_hyphens")
    app.add_template_global(calendar_weeks)
    app.add_template_global(availability_text)
    app.context_processor(
        lambda: {"current_lang": lang_code(), "session_lang": session.get("lang")}
    )
    app.register_error_handler(HTTPException, _error_page)


def translate(text: dict[str, str] | str | None) -> str:
    """Survey content in the member's language, falling back to Swedish."""
    if text is None:
        return ""
    if isinstance(text, str):
        return text
    lang = lang_code()
    return text.get(lang) or text.get("sv") or next(iter(text.values()), "")


@functools.cache
def _hyphenator(lang: str) -> pyphen.Pyphen | None:
    return pyphen.Pyphen(lang=lang) if lang in pyphen.LANGUAGES else None


def soft_hyphens(text: str) -> str:
    """Long words with soft hyphens (U+00AD) between their syllables, for narrow columns.

    The availability grid's headers ("Vardagskvällar") are wider than their column on a phone. CSS
    `hyphens: auto` needs a hyphenation dictionary that Chromium on Linux and many Android builds lack,
    so the words were cut anywhere ("Vardagskväll/ar"); with break points from pyphen (already installed
    for WeasyPrint) they break as "Vardags-/kvällar", with the hyphen shown."""
    hyphenator = _hyphenator(lang_code())
    if hyphenator is None:
        return text
    return " ".join(hyphenator.inserted(w, hyphen="\u00ad") if len(w) > 7 else w for w in text.split(" "))


def local_time(moment: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A stored moment (aware, see UTCDateTime) as the district's wall-clock time: organizers think in
    Swedish time, not UTC."""
    return moment.astimezone(STOCKHOLM).strftime(fmt) if moment else ""


def calendar_weeks(q: Question):
    cal = availability.calendar_from_dict(q.calendar)
    return cal, availability.campaign_weeks(cal)


def availability_text(q: Question, cells: list[str]) -> str:
    """"v. 32: Vardagskvällar, Helgdagar; v. 33: ..." for the summary pages."""
    cal, weeks = calendar_weeks(q)
    chosen = set(cells)
    parts = []
    for week in weeks:
        slots = [translate(s.label) for s in cal.slots if availability.cell_id(week.monday, s.key) in chosen]
        if slots:
            parts.append(f"{translate(week.label)}: {', '.join(slots)}")
    return "; ".join(parts) or _("Ingen tid vald")


def _error_page(exc: HTTPException):
    # Deliberately plain: an unknown or tampered survey link must not reveal whether anything exists.
    titles = {
        403: _("Du har inte behörighet till den här sidan"),
        404: _("Sidan finns inte"),
        413: _("För mycket data skickades"),
        400: _("Något gick fel med formuläret"),
    }
    messages = {
        404: _("Kontrollera länken. Har du fått den i ett meddelande, kopiera hela länken."),
        413: _("Försök igen med kortare svar."),
        400: _("Ladda om sidan och försök igen."),
    }
    code = exc.code or 500
    # Staff who followed a stale link in the administration get a way back; a survey link's page stays bare.
    home = url_for("admin.index") if request.path.startswith(("/admin", "/calls")) else None
    return render_template("error.html", code=code, title=titles.get(code, exc.name),
                           message=messages.get(code, ""), home=home), code
