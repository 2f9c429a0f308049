"""Files in and out: the one formula-safe CSV/XLSX writer, and what every imported text file is checked for.

Writing. Every CSV and XLSX file Kraftkartan produces (web exports, the SMS lists, `members list`,
`survey links`, the import report) goes through `csv_text` or `export_bytes`, which defuse text cells
that a spreadsheet would run as a formula (OWASP "CSV injection"): a cell starting with =, +, -, @, a
tab, CR or LF gets a leading apostrophe, which Excel and LibreOffice read as "this is text". Numbers are
left alone, and so is everything else in a cell. The rule is deliberately the blunt one: "+" and "-" are
included although a phone number or a negative amount may start with them, because `=1+1` is not the
only way in (`+cmd|...`, `-2+3` and `@SUM(...)` run too). Swedish phone numbers are exported in national
format ("070-123 45 67", see `contacts.format_phone`) and so never start with "+"; a foreign number in
international format gets the apostrophe, which a spreadsheet shows as text.

Reading. Files people upload or point a command at may be anything: `decode_text` refuses NUL bytes (a
binary file, or UTF-32), reads UTF-8 and UTF-16 (with a BOM, and UTF-16 without one, which shows as
NULs in every other byte), and falls back to Windows-1252 only where the caller allows it. Values from
such files are quoted in messages only through `shorten`, so a 50 MB cell makes a 60-character message.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pandas loads where a frame is written: `kraftkartan --help` starts without it
    import pandas as pd

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")
SHOWN = 60  # characters of a value quoted in a message
BOMS = (  # (BOM, codec that reads and drops it, name); UTF-32 LE first: its BOM starts like UTF-16 LE's
    (b"\xef\xbb\xbf", "utf-8-sig", "UTF-8 (BOM)"),
    (b"\xff\xfe\x00\x00", "utf-32", "UTF-32"),
    (b"\x00\x00\xfe\xff", "utf-32", "UTF-32"),
    (b"\xff\xfe", "utf-16", "UTF-16"),
    (b"\xfe\xff", "utf-16", "UTF-16"),
)
NAMES = {"utf-16-le": "UTF-16 LE (no BOM)", "utf-16-be": "UTF-16 BE (no BOM)", "cp1252": "Windows-1252"}


# -- writing ---------------------------------------------------------------------------------------


def defuse_cell(value: Any) -> Any:
    """The value, with an apostrophe in front when it is text that starts like a formula."""
    return "'" + value if isinstance(value, str) and value.startswith(FORMULA_PREFIXES) else value


def defuse(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` with every text cell that starts like a formula defused (headers too)."""
    frame = frame.map(defuse_cell)
    frame.columns = [defuse_cell(c) for c in frame.columns]
    return frame


def csv_text(frame: pd.DataFrame) -> str:
    """The frame as CSV text, formula-safe, without the index: for the command line and stored reports."""
    return defuse(frame).to_csv(index=False, lineterminator="\n")


def export_bytes(frame: pd.DataFrame, fmt: str) -> bytes:
    """A download: "csv" (UTF-8 with a BOM, so that Excel shows å, ä and ö) or "xlsx", formula-safe."""
    if fmt == "csv":
        return csv_text(frame).encode("utf-8-sig")
    if fmt != "xlsx":
        raise ValueError(f"unknown export format {fmt!r}")
    import pandas as pd

    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        defuse(frame).to_excel(writer, index=False, sheet_name="Svar")
    return buffer.getvalue()


# -- reading ---------------------------------------------------------------------------------------


class NotText(ValueError):
    """Bytes that are not a text file we can read. `reason`: "nul" (NUL bytes) or "encoding"."""

    def __init__(self, reason: str, detail: str = "") -> None:
        self.reason, self.detail = reason, detail
        super().__init__(f"{reason}: {detail}" if detail else reason)


def shorten(value: object, limit: int = SHOWN) -> str:
    """`value` as text for a message: at most `limit` characters, cut with "…" (and control characters
    shown as escapes, so a value cannot rewrite the terminal or the line it is quoted in)."""
    text = value if isinstance(value, str) else str(value)
    cut = len(text) > limit
    text = text[:limit]
    if not text.isprintable():
        text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)[:limit]
    return text + "…" if cut else text


def _utf16_without_bom(data: bytes) -> str | None:
    """ "utf-16-le"/"utf-16-be" when the start of `data` looks like UTF-16 text without a BOM, else None.

    Text in Latin script has a zero high byte in nearly every UTF-16 unit, so one byte position of each
    pair is NUL about every time and the other practically never. A NUL now and then in UTF-8 text (a
    damaged or hostile file) is nowhere near that pattern, and is refused later as NUL bytes.
    """
    sample = data[: min(len(data), 4096) // 2 * 2]
    pairs = len(sample) // 2
    if pairs < 2:
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    if odd * 2 >= pairs and even * 20 <= pairs:
        return "utf-16-le"
    if even * 2 >= pairs and odd * 20 <= pairs:
        return "utf-16-be"
    return None


def decode_text(data: bytes, fallback: str | None = None) -> tuple[str, str]:
    """(text, encoding name) of an uploaded text file. Raises NotText.

    A BOM decides; then UTF-16 without a BOM; then UTF-8; then `fallback` (e.g. "cp1252": Swedish Excel
    saves "CSV" as Windows-1252) if given. Text with a NUL character is refused whatever the encoding:
    no spreadsheet or YAML file has one, and the rest of it could not be trusted either.
    """
    codec, name = next(((c, n) for bom, c, n in BOMS if data.startswith(bom)), (None, None))
    if codec is None:
        codec = _utf16_without_bom(data)
        name = NAMES[codec] if codec else "UTF-8"
    try:
        text = data.decode(codec or "utf-8")
    except UnicodeDecodeError as exc:
        if not codec and b"\x00" in data:  # a binary file, or UTF-32 without a BOM: say so, not "encoding"
            raise NotText("nul", f"at byte {data.index(0)}") from exc
        if codec or not fallback:
            raise NotText("encoding", f"{exc.reason} at byte {exc.start}") from exc
        try:
            text, name = data.decode(fallback), NAMES.get(fallback, fallback)
        except UnicodeDecodeError as again:
            raise NotText("encoding", f"{again.reason} at byte {again.start}") from again
    if "\x00" in text:
        raise NotText("nul", f"at character {text.index(chr(0))}")
    return text, name
