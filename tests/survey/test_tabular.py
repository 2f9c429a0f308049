"""survey.tabular: the formula-safe writer, and the checks on uploaded text. No database needed."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd
import pytest

from survey.tabular import NotText, csv_text, decode_text, defuse_cell, export_bytes, shorten

HOSTILE = ['=HYPERLINK("http://evil.example")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]


@pytest.mark.parametrize("value", HOSTILE)
def test_text_that_starts_like_a_formula_gets_an_apostrophe(value):
    assert defuse_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["Anna", "070-123 45 67", "a=b", "", -5, 3.5, None])
def test_everything_else_is_left_alone(value):
    assert defuse_cell(value) == value


def test_csv_and_xlsx_exports_are_formula_safe():
    frame = pd.DataFrame({"name": HOSTILE[:2], "=header": [1, -2]})
    text = csv_text(frame)
    assert text.splitlines()[0] == "name,'=header"
    assert text.splitlines()[1].startswith("\"'=HYPERLINK(") and text.splitlines()[2].endswith(",-2")
    assert export_bytes(frame, "csv").startswith(b"\xef\xbb\xbf")
    sheet = openpyxl.load_workbook(io.BytesIO(export_bytes(frame, "xlsx"))).active
    assert sheet["A2"].value == "'" + HOSTILE[0] and sheet["A2"].data_type == "s"  # text, not a formula
    assert sheet["B3"].value == -2
    with pytest.raises(ValueError):
        export_bytes(frame, "ods")


TEXT = "Medlemsnr;Förnamn\n1;Åsa Öberg\n"


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (TEXT.encode("utf-8"), "UTF-8"),
        (TEXT.encode("utf-8-sig"), "UTF-8 (BOM)"),
        (TEXT.encode("utf-16"), "UTF-16"),
        (b"\xfe\xff" + TEXT.encode("utf-16-be"), "UTF-16"),
        (TEXT.encode("utf-16-le"), "UTF-16 LE (no BOM)"),
        (TEXT.encode("utf-16-be"), "UTF-16 BE (no BOM)"),
        (TEXT.encode("utf-32"), "UTF-32"),
        (TEXT.encode("cp1252"), "Windows-1252"),
    ],
)
def test_decode_text(data, name):
    assert decode_text(data, fallback="cp1252") == (TEXT, name)


def test_nul_bytes_and_unknown_encodings_are_refused():
    with pytest.raises(NotText) as nul:
        decode_text(TEXT.replace("Åsa", "Å\x00sa").encode("utf-8"), fallback="cp1252")
    assert nul.value.reason == "nul"
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))
    with pytest.raises(NotText) as binary:
        decode_text(png, fallback="cp1252")
    assert binary.value.reason in ("nul", "encoding")
    with pytest.raises(NotText) as latin:
        decode_text(TEXT.encode("cp1252"))  # no fallback: UTF-8 only
    assert latin.value.reason == "encoding" and "byte" in latin.value.detail
    with pytest.raises(NotText):
        decode_text(b"\xff\xfe" + TEXT.encode("utf-16-le")[:-1])  # a UTF-16 BOM, then an odd byte count


def test_shorten():
    assert shorten("x" * 50_000_000) == "x" * 60 + "…"
    assert shorten("Åsa") == "Åsa" and shorten(12) == "12" and shorten("abc", 2) == "ab…"
    assert shorten("a\nb\x00\x1b[2J") == "a\\nb\\x00\\x1b[2J"  # one line, no terminal escapes
