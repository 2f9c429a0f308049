"""The shared stylesheet must not break ordinary words (issue #11, fix 9).

`overflow-wrap: anywhere` on the body let table cells shrink below their words, so "Helgdagar" and
"Dörrknackning" broke mid-word even on a desktop screen; Debian's Chromium has no Swedish hyphenation to
soften it. Long tokens (e-mails, links) may still break, but only where a word alone is wider than its line.
"""

import re
from pathlib import Path

import survey

CSS = Path(survey.__file__).parent / "static" / "kk.css"


def _rule(selector: str) -> str:
    match = re.search(r"(?m)^" + re.escape(selector) + r"\s*\{([^}]*)\}", CSS.read_text(encoding="utf-8"))
    assert match, f"no rule for {selector} in kk.css"
    return match.group(1)


def test_body_does_not_break_words_anywhere():
    assert "overflow-wrap" not in _rule("body")
    assert "overflow-wrap: anywhere" not in _rule("p, li, dd, dt, td, th, label, legend, h1, h2, h3, a")


def test_long_tokens_still_wrap_in_text():
    assert "overflow-wrap: break-word" in CSS.read_text(encoding="utf-8")
