"""Accessible inline SVG charts: horizontal bars (one series or two stacked), grouped bars, a percentage bar.

Why inline SVG built by hand: the CSP allows no inline script and nothing from other sites, so chart
libraries are out, and organizers open these pages on their phones. Bars are horizontal with the label
on its own line above the bar, so a long label never squeezes the bars at 320 px; the drawing scales
with its container (viewBox, width="100%"). Pure: plain data in, markup out (no Flask, no database, no
locale): callers pass titles, descriptions and any words already translated.

Accessibility: every chart is role="img", named by its <title> and described by its <desc>; values are
printed at the bar ends so nothing depends on colour alone; fills have at least 3:1 contrast against
white (WCAG 1.4.11) and text at least 4.5:1. The page follows each chart with a data table, the text
alternative. Every piece of text is escaped here, because labels are survey content, that is data.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH = 340  # viewBox units: one unit is about one CSS pixel on a 375 px phone (overview.css caps the width)
FONT = 15
LINE = 19  # height of one line of label text
BAR = 18
THIN_BAR = 13  # bars inside a group
GAP = 12  # between rows
CHAR_WIDTH = 0.58 * FONT  # a generous estimate of an average system-ui character
TEXT = "#1b1b1b"
TRACK = "#e8e8e8"
TRACK_EDGE = "#767676"  # 4.5:1 on white: shows where 100 % ends
# Dark first: with one series it is the brand red. Each has at least 4.5:1 on white.
PALETTE = ("#8b0d1f", "#0b4f9c", "#1f7a4d", "#b35900", "#6a3d9a", "#595959")
# Two stacked series: the lighter red still has 3.7:1 on white; a white gap separates the segments.
STACKED = ("#8b0d1f", "#d35f6e")
ID_RE = re.compile(r"^[a-z][a-z0-9-]*$")


@dataclass(frozen=True)
class Bar:
    """One row: its label and one value per series (stacked left to right)."""

    label: str
    values: tuple[int, ...]
    href: str | None = None  # the people behind the bar (the member list, filtered); pointer users only:
    # the chart is one image to assistive technology, and the data table under it carries the same links.


def bar_chart(chart_id: str, title: str, desc: str, bars: Sequence[Bar], *, series: Sequence[str] = (),
              end_text: Callable[[tuple[int, ...]], str] | None = None, max_value: int | None = None,
              colours: Sequence[str] = STACKED, track: bool = False) -> Markup:
    """Horizontal bars, one per row; with two or more `series` the values are stacked and a legend drawn.

    `end_text` turns a row's values into the text printed after the bar (default: their sum), e.g.
    "12 (5 vana)", so the split is readable without telling colours apart. `track` outlines the whole
    length up to `max_value` behind each bar, for shares of a whole ("47 %" of 100).
    """
    end_text = end_text or (lambda values: str(sum(values)))
    ends = [end_text(b.values) for b in bars]
    top = max_value or max((sum(b.values) for b in bars), default=0) or 1
    area = _bar_area(ends)
    scale = area / top
    parts: list[str] = []
    y = 0
    if len(series) > 1:
        legend, y = _legend(series, colours, y)
        parts.append(legend)
    for bar, end in zip(bars, ends, strict=True):
        start = len(parts)
        label, y = _label(bar.label, y)
        parts.append(label)
        if track:
            parts.append(f'<rect x="0.5" y="{y + 0.5:.1f}" width="{area - 1:.1f}" height="{BAR - 1}" '
                         f'fill="{TRACK}" stroke="{TRACK_EDGE}" stroke-width="1"/>')
        x = 0.0
        for i, value in enumerate(bar.values):
            w = value * scale
            if w > 0:
                # A 2-unit white gap between segments keeps them apart for people who cannot see the colours.
                gap = 2 if i < len(bar.values) - 1 and any(bar.values[i + 1:]) else 0
                parts.append(_rect(x, y, max(w - gap, 1), BAR, colours[i % len(colours)]))
            x += w
        parts.append(_text((area if track else x) + 6, y + BAR - 4, end))
        _link(parts, start, bar.href)
        y += BAR + GAP
    return _svg(chart_id, title, desc, y - GAP, parts)


def grouped_chart(chart_id: str, title: str, desc: str, groups: Sequence[Bar], series: Sequence[str], *,
                  max_value: int | None = None, colours: Sequence[str] = PALETTE) -> Markup:
    """A group of bars per row (e.g. a campaign week), one bar per series (e.g. time slots).

    Each bar ends with its value and its series name ("34 Helgdagar"), so no legend is needed and no
    colour has to be matched.
    """
    ends = [[f"{v} {s}" for v, s in zip(g.values, series, strict=True)] for g in groups]
    top = max_value or max((v for g in groups for v in g.values), default=0) or 1
    scale = _bar_area([e for row in ends for e in row]) / top
    parts: list[str] = []
    y = 0
    for group, row_ends in zip(groups, ends, strict=True):
        start = len(parts)
        label, y = _label(group.label, y, bold=True)
        parts.append(label)
        for i, (value, end) in enumerate(zip(group.values, row_ends, strict=True)):
            w = value * scale
            if w > 0:
                parts.append(_rect(0, y, w, THIN_BAR, colours[i % len(colours)]))
            parts.append(_text(w + 5, y + THIN_BAR - 2, end, size=FONT - 1))
            y += THIN_BAR + 4
        _link(parts, start, group.href)
        y += GAP
    return _svg(chart_id, title, desc, y - GAP, parts)


def percent_bar(chart_id: str, title: str, desc: str, fraction: float, text: str) -> Markup:
    """One track for 100 % with the part filled, and `text` ("38 % (45 av 120)") printed below it."""
    fraction = min(max(fraction, 0.0), 1.0)
    parts = [
        f'<rect x="0.5" y="0.5" width="{WIDTH - 1}" height="{BAR + 6}" fill="{TRACK}" '
        f'stroke="{TRACK_EDGE}" stroke-width="1" rx="3"/>',
    ]
    if fraction > 0:
        parts.append(_rect(1, 1, max((WIDTH - 2) * fraction, 2), BAR + 5, PALETTE[0]))
    y = BAR + 6 + LINE + 2
    for line in _wrap(text, int(WIDTH / (0.62 * FONT)), max_lines=3):  # bold is wider
        parts.append(_text(0, y, line, bold=True))
        y += LINE
    return _svg(chart_id, title, desc, y - LINE + 6, parts)


# -- drawing helpers -------------------------------------------------------------------------------------

def _svg(chart_id: str, title: str, desc: str, height: float, parts: list[str]) -> Markup:
    if not ID_RE.match(chart_id):
        raise ValueError(f"chart id must match {ID_RE.pattern}: {chart_id!r}")
    h = max(round(height), 1)
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart-svg" viewBox="0 0 {WIDTH} {h}" width="100%" '
        f'role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" font-family="system-ui, sans-serif" '
        f'font-size="{FONT}">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>'
        + "".join(parts) + "</svg>"
    )


def _link(parts: list[str], start: int, href: str | None) -> None:
    """Wrap one row's drawing (label, bars, numbers) in a link, so a tap anywhere on it opens the list."""
    if href:
        parts[start:] = [f'<a href="{escape(href)}" class="bar-link">', *parts[start:], "</a>"]


def _bar_area(ends: Sequence[str]) -> float:
    """The width left for bars once the longest end text fits after the longest bar."""
    reserve = max((_text_width(e) for e in ends), default=0) + 10
    return max(WIDTH - reserve, WIDTH * 0.4)


def _text_width(text: str, size: int = FONT) -> float:
    return len(text) * 0.58 * size


def _label(label: str, y: float, bold: bool = False) -> tuple[str, float]:
    """A label above its bar: wrapped onto at most two lines, cut with "…" beyond that.

    When cut, the whole label goes into a <title> (a tooltip); the data table under the chart has it too.
    """
    lines = _wrap(label, int(WIDTH / CHAR_WIDTH))
    full = "" if " ".join(lines) == " ".join(label.split()) else f"<title>{escape(label)}</title>"
    weight = ' font-weight="600"' if bold else ""
    tspans = "".join(f'<tspan x="0" dy="{0 if i == 0 else LINE}">{escape(line)}</tspan>'
                     for i, line in enumerate(lines))
    markup = f'<text x="0" y="{y + FONT}" fill="{TEXT}"{weight}>{full}{tspans}</text>'
    return markup, y + len(lines) * LINE + 3


def _wrap(text: str, width: int, max_lines: int = 2) -> list[str]:
    words, lines, current = text.split(), [], ""
    for word in words:
        while len(word) > width:  # a single overlong word: break it
            if current:
                lines.append(current)
                current = ""
            lines.append(word[:width])
            word = word[width:]
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    if current or not lines:
        lines.append(current)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][: width - 1].rstrip() + "…"
    return lines


def _legend(series: Sequence[str], colours: Sequence[str], y: float) -> tuple[str, float]:
    parts, x = [], 0.0
    for i, name in enumerate(series):
        width = BAR + 6 + _text_width(name) + 16
        if x > 0 and x + width > WIDTH:
            x, y = 0.0, y + LINE + 4
        parts.append(_rect(x, y + 2, BAR - 4, BAR - 4, colours[i % len(colours)]))
        parts.append(_text(x + BAR + 2, y + BAR - 4, name))
        x += width
    return "".join(parts), y + LINE + GAP


def _rect(x: float, y: float, w: float, h: float, fill: str) -> str:
    return f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h}" fill="{escape(fill)}"/>'


def _text(x: float, y: float, text: str, bold: bool = False, size: int = FONT) -> str:
    weight = ' font-weight="600"' if bold else ""
    size_attr = f' font-size="{size}"' if size != FONT else ""
    return f'<text x="{x:.1f}" y="{y:.1f}" fill="{TEXT}"{weight}{size_attr}>{escape(text)}</text>'
