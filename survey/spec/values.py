"""The parser's checks of single values (texts, keys, numbers, dates, times), each error with its path.

Kept apart from the structure (``survey.spec.parse``) so that each reads on its own; the parser class
inherits these.
"""

from __future__ import annotations

import difflib
import re
from datetime import date, datetime, time

from survey.i18n import STOCKHOLM
from survey.spec.model import (
    KEY_RE,
    LANGUAGES,
    Text,
)
from survey.spec.yamlfile import _show

LOCAL_TZ = STOCKHOLM
MAX_TEXT_LENGTH = 20000
TIME_RE = re.compile(r"^([01]?[0-9]|2[0-3]):([0-5][0-9])$")


def _suggest(name: object, allowed: tuple[str, ...] | list[str]) -> str:
    close = difflib.get_close_matches(str(name), list(allowed), n=1, cutoff=0.6)
    return f" (did you mean {_show(close[0])}?)" if close else ""


def _join(path: str, name: str | int) -> str:
    if isinstance(name, int):
        return f"{path}[{name}]"
    return f"{path}.{name}" if path else name


class _Values:
    """Problems are collected, not raised, so that one run reports every mistake in the file."""

    def __init__(self, filename: str):
        self.filename = filename
        self.problems: list[tuple[str, str]] = []

    def err(self, path: str, message: str) -> None:
        self.problems.append((path, message))

    def mapping(self, v, path, allowed, required=(), what="this", not_here=()) -> bool:
        if not isinstance(v, dict):
            self.err(path, f"expected a mapping with fields {', '.join(allowed)}")
            return False
        for k in v:
            if k in allowed:
                continue
            if k in not_here:
                self.err(_join(path, str(k)), f"field {_show(k)} is not allowed on {what}; "
                                              f"allowed fields: {', '.join(allowed)}")
            else:
                self.err(_join(path, str(k)), f"unknown field {_show(k)}{_suggest(k, allowed)}; "
                                              f"allowed fields: {', '.join(allowed)}")
        for k in required:
            if k not in v:
                self.err(_join(path, k), "missing required field")
        return True

    def text(self, v, path, required=True) -> Text | None:
        if v is None:
            if required:
                self.err(path, "missing required text")
            return None
        if isinstance(v, str):
            v = {"sv": v}
        if not isinstance(v, dict):
            self.err(path, "expected text: a string (Swedish) or a mapping with sv and optionally en"
                           " (put numbers in quotes)")
            return None
        out = {}
        for lang, s in v.items():
            if lang not in LANGUAGES:
                self.err(_join(path, str(lang)), f"unknown language {_show(lang)}; allowed: sv, en")
            elif not isinstance(s, str):
                self.err(_join(path, lang), f"expected text, got {_show(s)} (put numbers in quotes)")
            elif not s.strip():
                self.err(_join(path, lang), "expected non-empty text")
            else:
                out[lang] = s
        if "sv" not in v:
            self.err(_join(path, "sv"), "missing Swedish text (sv is required)")
        return {lang: out[lang] for lang in LANGUAGES if lang in out} if "sv" in out else None

    def key(self, v, path, regex=KEY_RE, example="lowercase_with_underscores") -> str | None:
        if not isinstance(v, str) or not regex.fullmatch(v):
            self.err(path, f"invalid key {_show(v)}: use {example}")
            return None
        return v

    def integer(self, v, path, lo=None, hi=None) -> int | None:
        if v is None:
            return None
        if not isinstance(v, int) or isinstance(v, bool):
            self.err(path, f"expected a whole number, got {_show(v)}")
            return None
        if (lo is not None and v < lo) or (hi is not None and v > hi):
            rng = f"at least {lo}" if hi is None else f"between {lo} and {hi}"
            self.err(path, f"must be {rng}, got {v}")
            return None
        return v

    def choice(self, v, path, allowed, what) -> str | None:
        if v not in allowed:
            self.err(path, f"unknown {what} {_show(v)}{_suggest(v, allowed)}; allowed: {', '.join(allowed)}")
            return None
        return v

    def day(self, v, path) -> date | None:
        if isinstance(v, date) and not isinstance(v, datetime):
            return v
        try:
            if isinstance(v, str) and len(v) == 10:
                return date.fromisoformat(v)
        except ValueError:
            pass
        self.err(path, f"expected a date like 2030-09-08, got {_show(v)}")
        return None

    def moment(self, v, path) -> datetime | None:
        if v is None:
            return None
        try:
            if isinstance(v, str) and len(v) > 10:
                v = datetime.fromisoformat(v)
            if not isinstance(v, datetime):
                raise ValueError
        except ValueError:
            self.err(path, f"expected a date and time like 2030-08-01T08:00:00+02:00, got {_show(v)}")
            return None
        return v if v.tzinfo else v.replace(tzinfo=LOCAL_TZ)

    # ------------------------------------------------------------ structure

    def clock(self, v, path) -> time | None:
        m = TIME_RE.fullmatch(v) if isinstance(v, str) else None
        if not m:
            self.err(path, f"expected a time like 17:00, got {_show(v)}")
            return None
        return time(int(m.group(1)), int(m.group(2)))

