"""Keep secrets and personal data out of the application logs.

A personal link's token is as good as a password to that member's answers, and request lines land in log
files that are kept, copied and read far more widely than the database. werkzeug's access log writes every
request line (`"GET /s/<token>/p/about_you?lang=en HTTP/1.1" 200 -`), and Flask's error log names the path
of a failing request. This filter rewrites such lines before any handler sees them: the token segment after
/s/, /u/ (unsubscribe) and /t/ (task answers), and the token of a calendar feed (/ics/<kind>/<token>.ics),
becomes `<redacted>`, and query strings are dropped, since they can carry search terms, names or tokens too.
tests/survey/test_logs.py checks every route with a URL argument, so a new token route must be added here.

werkzeug also writes ANSI colour codes into the text of its access log and start-up banner, whatever the
destination, so `kraftkartan demo > demo.log 2>&1` filled the file with `ESC[33m`. The filter drops them
unless stderr, where werkzeug's own handler writes, is a terminal that shows them as colours.
"""

from __future__ import annotations

import logging
import re
import sys

from flask import Flask

REDACTED = "<redacted>"
# A token path segment, wherever it appears (request line, absolute URL, error message). A segment stops at
# a slash, whitespace, quote, query or fragment, or the ANSI escape werkzeug uses to colour the line.
_SEGMENT = r"[^/\s?#\"'\x1b]+"
# /calls/welcome/<token>: a new caller's one-time link to set a password.
_TOKEN_PATH = re.compile(rf"/([sut]|calls/welcome)/{_SEGMENT}")
# A feed token holds dots (itsdangerous: payload.signature): it runs up to the segment's last ".ics", or
# takes the whole segment when someone leaves the suffix off.
_FEED_PATH = re.compile(rf"/ics/([a-z]+)/(?:{_SEGMENT}(?=\.ics(?:[/\s?#\"'\x1b]|$))|{_SEGMENT})")
# A query string attached to a path or URL; a lone "?" in prose is left alone.
_QUERY = re.compile(r"(/[^\s?\"']*)\?[^\s#\"'\x1b]*")
# What werkzeug's _ansi_style writes: ESC [ codes m (Select Graphic Rendition).
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def redact(text: str) -> str:
    """The text with link tokens replaced and query strings removed."""
    text = _QUERY.sub(r"\1", text)
    return _FEED_PATH.sub(rf"/ics/\1/{REDACTED}", _TOKEN_PATH.sub(rf"/\1/{REDACTED}", text))


def plain(text: str) -> str:
    """The text without ANSI colour codes."""
    return _ANSI.sub("", text)


def _stderr_is_terminal() -> bool:
    try:
        return sys.stderr is not None and sys.stderr.isatty()
    except ValueError:  # closed
        return False


class RedactingFilter(logging.Filter):
    """Rewrites a record's message in place (redacted; colourless unless for a terminal); never drops one."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if not _stderr_is_terminal():
            cleaned = plain(cleaned)
        if cleaned != message:
            # The formatted message replaces msg/args, so no handler can format the original arguments.
            record.msg, record.args = cleaned, ()
        return True


def init_app(app: Flask) -> None:
    """Install the filter on werkzeug's logger and the app's. Safe to call for every app a process creates.

    A logger filter runs only for records logged on that logger itself, which is where both the access log
    ("werkzeug") and Flask's request errors (`app.logger`) are written.
    """
    for logger in (logging.getLogger("werkzeug"), app.logger):
        if not any(isinstance(f, RedactingFilter) for f in logger.filters):
            logger.addFilter(RedactingFilter())
