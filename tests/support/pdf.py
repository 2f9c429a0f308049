"""Reading PDFs back with poppler-utils (pdftotext, pdfinfo, pdftoppm): text, page count, page size and
word positions, so tests check what is on the paper rather than what was meant to be."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from tests.support import require

MM = 72 / 25.4  # PDF points per millimetre
A4 = (210 * MM, 297 * MM)
WORD_RE = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*)</word>')


def poppler_missing() -> str | None:
    missing = [t for t in ("pdftotext", "pdfinfo") if shutil.which(t) is None]
    return f"{', '.join(missing)} not installed (apt-get install poppler-utils)" if missing else None


def _run(args: list[str], data: bytes) -> str:
    require(poppler_missing())
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "doc.pdf"
        path.write_bytes(data)
        out = subprocess.run([*args, str(path), "-"], check=True, capture_output=True, timeout=60)
        return out.stdout.decode("utf-8")


def text(data: bytes) -> str:
    """The text, laid out (pdftotext -layout); pages separated by form feeds."""
    return _run(["pdftotext", "-layout", "-enc", "UTF-8"], data)


def pages(data: bytes) -> list[str]:
    return text(data).split("\f")[:-1]


def info(data: bytes) -> dict[str, str]:
    require(poppler_missing())
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(data)
        f.flush()
        out = subprocess.run(["pdfinfo", f.name], check=True, capture_output=True, timeout=60).stdout.decode()
    return dict(line.split(":", 1) for line in out.splitlines() if ":" in line)


def page_count(data: bytes) -> int:
    return int(info(data)["Pages"])


def is_a4(data: bytes) -> bool:
    width, height = (float(x) for x in re.findall(r"[\d.]+", info(data)["Page size"])[:2])
    return abs(width - A4[0]) < 1 and abs(height - A4[1]) < 1


@dataclass(frozen=True)
class Word:
    page: int
    text: str
    x0: float  # points from the left edge of the page
    y0: float  # points from the top
    x1: float
    y1: float


def words(data: bytes) -> list[Word]:
    """Every word with its box (pdftotext -bbox)."""
    html = _run(["pdftotext", "-bbox", "-enc", "UTF-8"], data)
    out, page = [], 0
    for line in html.splitlines():
        if "<page " in line:
            page += 1
        found = WORD_RE.search(line)
        if found:
            x0, y0, x1, y1 = (float(found[i]) for i in range(1, 5))
            out.append(Word(page, found[5], x0, y0, x1, y1))
    return out


def outside(data: bytes, left_mm: float = 12, right_mm: float = 12, top_mm: float = 12,
            bottom_mm: float = 10) -> list[Word]:
    """Words that run into the strip a home printer may not print (nothing should)."""
    width, height = A4
    return [w for w in words(data)
            if w.x0 < left_mm * MM or w.x1 > width - right_mm * MM
            or w.y0 < top_mm * MM or w.y1 > height - bottom_mm * MM]
