"""The English UI catalog is complete, clean and compiled.

The source language is Swedish: msgids in `_()`, `gettext`, `lazy_gettext` and `_l()` in survey/**.py and
templates/**.html are Swedish, and survey/translations/en holds the English. When a test here fails after
you added or changed a UI string, update the catalog from the repository root:

    pybabel extract -F babel.cfg -k _l -k lazy_gettext -o survey/translations/messages.pot .
    pybabel update -d survey/translations -i survey/translations/messages.pot --no-fuzzy-matching
    (translate the new entries in survey/translations/en/LC_MESSAGES/messages.po)
    pybabel compile -d survey/translations

Swedish needs no catalog: with locale "sv" Flask-Babel finds none and shows the msgid itself.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from pathlib import Path

import pytest
from babel.messages import frontend
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
BABEL_CFG = ROOT / "babel.cfg"
CATALOG_DIR = ROOT / "survey" / "translations" / "en" / "LC_MESSAGES"
PO = CATALOG_DIR / "messages.po"
MO = CATALOG_DIR / "messages.mo"
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}  # same as `-k _l -k lazy_gettext`
HOW_TO_FIX = "See the module docstring of tests/survey/test_translations.py for the pybabel commands."

# A printf-style conversion as Python's % operator reads it: %%, %s, %(name)d, %-5.2f, ...
PLACEHOLDER = re.compile(
    r"%(?:\([^)]*\))?[#0 +-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?[diouxXeEfFgGcrsa%]")


def _key(msgid) -> str:
    return msgid[0] if isinstance(msgid, (list, tuple)) else msgid


def _strings(value) -> tuple[str, ...]:
    return tuple(value) if isinstance(value, (list, tuple)) else (value,)


@pytest.fixture(scope="module")
def po_catalog():
    assert PO.is_file(), f"{PO.relative_to(ROOT)} is missing. {HOW_TO_FIX}"
    with PO.open("rb") as f:
        return read_po(f, abort_invalid=True)


@pytest.fixture(scope="module")
def source_messages() -> dict[tuple[str, str | None], list[str]]:
    """(msgid, context) -> ["path:line", ...] for every marked string in the current sources."""
    parse = getattr(frontend, "parse_mapping_cfg", None) or frontend.parse_mapping
    with BABEL_CFG.open(encoding="utf-8") as f:
        method_map, options_map = parse(f, str(BABEL_CFG))
    found: dict[tuple[str, str | None], list[str]] = {}
    for filename, lineno, message, _comments, context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=KEYWORDS):
        found.setdefault((_key(message), context), []).append(f"{filename}:{lineno}")
    return found


def test_extraction_finds_the_ui_strings(source_messages):
    # Guards the other tests against a broken babel.cfg that silently extracts nothing.
    msgids = {msgid for msgid, _context in source_messages}
    assert {"Nästa", "Logga in", "Det här behöver du svara på."} <= msgids
    assert any(loc.startswith("survey/") for locs in source_messages.values() for loc in locs)
    assert any(loc.startswith("templates/") for locs in source_messages.values() for loc in locs)


def test_every_source_string_is_in_the_english_catalog(source_messages, po_catalog):
    known = {(_key(m.id), m.context) for m in po_catalog if m.id}
    missing = {key: locs for key, locs in source_messages.items() if key not in known}
    assert not missing, (
        f"{len(missing)} UI string(s) have no entry in {PO.relative_to(ROOT)}:\n"
        + "\n".join(f"  {msgid!r}{f' (context {ctx!r})' if ctx else ''} at {', '.join(locs)}"
                    for (msgid, ctx), locs in sorted(missing.items(), key=lambda kv: kv[1][0]))
        + f"\n{HOW_TO_FIX}")


def test_no_entry_is_fuzzy_or_untranslated(po_catalog):
    assert not po_catalog.fuzzy, (
        f"The header of {PO.relative_to(ROOT)} is marked fuzzy, so pybabel compile would skip the catalog.")
    bad = [f"  {'fuzzy' if m.fuzzy else 'untranslated'}: {_key(m.id)!r} (line {m.lineno})"
           for m in po_catalog if m.id and (m.fuzzy or not all(_strings(m.string)))]
    assert not bad, f"Entries in {PO.relative_to(ROOT)} that need a translator:\n" + "\n".join(bad)


def test_compiled_catalog_is_up_to_date(po_catalog):
    assert MO.is_file(), f"{MO.relative_to(ROOT)} is missing: run pybabel compile -d survey/translations"
    fresh = io.BytesIO()
    write_mo(fresh, po_catalog)  # what `pybabel compile` writes
    fresh.seek(0)
    with MO.open("rb") as f:
        shipped = read_mo(f)

    def entries(catalog):
        return {(m.id if isinstance(m.id, str) else tuple(m.id), m.context): _strings(m.string)
                for m in catalog if m.id}

    expected, actual = entries(read_mo(fresh)), entries(shipped)
    stale = sorted(str(k[0]) for k in expected.keys() ^ actual.keys()) + sorted(
        str(k[0]) for k in expected.keys() & actual.keys() if expected[k] != actual[k])
    assert not stale, (f"{MO.relative_to(ROOT)} is out of date with the .po (differs in {stale[:10]}): "
                       "run pybabel compile -d survey/translations")
    # Byte for byte too: the locked Babel compiles deterministically, so a CI run that compiles the
    # catalogs never leaves a changed tracked file behind.
    assert MO.read_bytes() == fresh.getvalue(), (
        f"{MO.relative_to(ROOT)} was not written by the locked Babel: "
        "run .venv/bin/pybabel compile -d survey/translations")


def _placeholders(text: str) -> tuple[Counter, bool]:
    """The conversions in `text` (%% excluded), and whether a lone % is left over."""
    found = Counter(m.group(0) for m in PLACEHOLDER.finditer(text) if m.group(0) != "%%")
    return found, "%" in PLACEHOLDER.sub("", text)


def test_placeholders_match(po_catalog):
    problems = []
    for m in po_catalog:
        if not m.id:
            continue
        ids, strs = _strings(m.id), _strings(m.string)
        for i, msgstr in enumerate(strs):
            if not msgstr:
                continue
            msgid = ids[min(i, len(ids) - 1)]
            want, id_stray = _placeholders(msgid)
            got, str_stray = _placeholders(msgstr)
            if got != want:
                problems.append(
                    f"  {msgid!r} has {sorted(want.elements())}, {msgstr!r} has {sorted(got.elements())}")
            # Templates always apply %, even without variables: a lone % would raise or print garbage.
            if str_stray and not id_stray:
                problems.append(f"  {msgstr!r} has a lone % (write %% for a percent sign)")
    assert not problems, "Placeholder mismatches in en/messages.po:\n" + "\n".join(problems)


def test_the_app_serves_english_and_falls_back_to_swedish(instance_dir):
    # Its own app, with no app context held across requests: Flask-Babel caches the locale on `g`, so
    # the `app` fixtures' long-lived context would keep the first request's language.
    from survey import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "test", "TESTING": True})
    client = app.test_client()
    english = client.get("/admin/login?lang=en").get_data(as_text=True)
    assert "Log in" in english and "Password" in english and "Logga in" not in english
    swedish = client.get("/admin/login?lang=sv").get_data(as_text=True)
    assert "Logga in" in swedish and "Lösenord" in swedish and "Log in" not in swedish
