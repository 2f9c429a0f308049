"""Questions rendered once per question and language; a request ticks its boxes and fills in its values.

The skills page (seventeen rows of three levels, each row a fieldset with its label and three radios) and
the availability page (a week x time-of-day grid of labelled checkboxes) are the survey's heaviest: the
`question` macro rendered them on every request although only the `checked` marks differ between members
(issue 12). So the macro renders each shared question plan once per
language with a form whose every field is a marker, the HTML is split at the markers, and a request joins
the pieces with " checked" where its answers say so. A typed answer (text, long text, number) is a
marker too, filled with the stored value, escaped, on a page shown from stored answers; a page that
re-shows what a POST typed renders those through the macro (WTForms' raw data is what it shows). The
macro stays the only description of the HTML: the cache holds what it wrote. A page with an error on the
question, or a question that is not a plan's (a row), is rendered by the macro directly.
"""

from __future__ import annotations

import threading
from typing import Any

from markupsafe import Markup, escape

from survey.respond import forms
from survey.respond.plan import QuestionPlan

MARK = "\x00"  # cannot come from a survey file (the YAML reader refuses control characters)
_CACHE: dict[tuple[int, str], tuple[QuestionPlan, tuple]] = {}
_LOCK = threading.Lock()
MAX_CACHED = 1024


class _Slot:
    """What a field holds while a fragment is being compiled: its name, to be written as a marker. Shown
    as a value (`{{ value }}`), the marker has an empty value part: "fill in the answer here"."""

    __slots__ = ("name",)

    def __init__(self, name: str):
        self.name = name

    def __html__(self) -> str:
        return f"{MARK}{self.name}{MARK}{MARK}"


class _MarkerForm:
    def __getitem__(self, name: str) -> forms.StoredValue:
        return forms.StoredValue(_Slot(name))


COMPILED = ("skill", "availability")
TYPED = ("text", "long_text", "number")  # compiled only for pages shown from stored answers


def _holds(data: Any, value: str) -> bool:
    """A radio's field holds one value, a checkbox group's a list of them."""
    return value in data if isinstance(data, list | tuple | set) else data == value


def checked(data: Any, value: str) -> Markup:
    """' checked' when a field holds this value (the template's one way to say it); while a fragment
    is compiled, a marker naming the field and the value instead."""
    if isinstance(data, _Slot):
        return Markup(f"{MARK}{data.name}{MARK}{value}{MARK}")
    return Markup(" checked") if _holds(data, value) else Markup("")


def question_html(macro, q, form, errors: dict[str, str], calendar_weeks, lang: str) -> Markup:
    """What `macro(q, form, errors, calendar_weeks)` renders, from the compiled pieces when it can."""
    stored = isinstance(form, forms.StoredForm)
    compiled = q.type in COMPILED or (stored and q.type in TYPED)
    if not compiled or errors.get(q.key) or not isinstance(q, QuestionPlan):
        return macro(q, form, errors, calendar_weeks)
    pieces = _pieces(macro, q, calendar_weeks, lang)
    if pieces is None:
        return macro(q, form, errors, calendar_weeks)
    value_of = form.value if stored else (lambda name: form[name].data)
    out = []
    for piece in pieces:
        if type(piece) is str:
            out.append(piece)
        else:
            name, value = piece
            data = value_of(name)
            if data is None:
                continue
            if value == "":  # a typed answer's place
                out.append(escape(data))
            elif _holds(data, value):
                out.append(" checked")
    return Markup("".join(out))


def _pieces(macro, q: QuestionPlan, calendar_weeks, lang: str) -> tuple | None:
    key = (id(q), lang)
    entry = _CACHE.get(key)
    if entry is not None and entry[0] is q:
        return entry[1]
    bits = str(macro(q, _MarkerForm(), {}, calendar_weeks)).split(MARK)
    if q.type == "skill":
        names, values = {forms.skill_field_name(q, i) for i in range(len(q.options))}, set(forms.SKILL_LEVELS)
    elif q.type == "availability":
        names, values = {q.key}, forms.availability_cells(q)
    else:
        names, values = {q.key}, {""}
    slots = list(zip(bits[1::3], bits[2::3], strict=False))
    if len(bits) % 3 != 1 or any(n not in names or v not in values for n, v in slots):
        return None  # something else wrote a marker: never guess, let the macro render every time
    pieces: list = []
    for i in range(0, len(bits) - 1, 3):
        pieces += [bits[i], (bits[i + 1], bits[i + 2])]
    pieces.append(bits[-1])
    compiled = tuple(pieces)
    with _LOCK:
        if len(_CACHE) >= MAX_CACHED:
            _CACHE.clear()
        _CACHE[key] = (q, compiled)  # the plan is kept alive with its pieces, so its id is never reused
    return compiled
