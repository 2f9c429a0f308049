"""Reading a membership registry export into a frame of strings named by our fields.

Registry exports come from whatever the association's treasurer has: Excel, a CSV saved by Swedish Excel
(semicolons, Windows-1252), a web system's UTF-8 CSV with a BOM. So the encoding and separator are
detected, headers are matched through Swedish and English aliases, and everything stays a string here:
judging values is registry_rows' job, so one bad cell never makes the whole file unreadable. A file that
is no text (NUL bytes) or has absurdly many columns is refused whole; what a message quotes from the file
is cut by `tabular.shorten`.
"""

from __future__ import annotations

import csv
import io
import warnings
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from flask import has_request_context
from flask_babel import gettext

from survey import tabular
from survey.registry.postcodes import fold
from survey.tabular import shorten

# Our field -> header aliases (folded: lower case, no diacritics, spaces or punctuation). When several
# columns of a file map to one field, the earlier alias wins where it has a value (mobile before landline).
ALIASES: dict[str, tuple[str, ...]] = {
    "member_number": (
        "medlemsnummer",
        "medlemsnr",
        "medlnr",
        "medlemsid",
        "membernumber",
        "memberno",
        "membernr",
        "memberid",
    ),
    "first_name": ("fornamn", "tilltalsnamn", "firstname", "givenname"),
    "last_name": ("efternamn", "lastname", "surname", "familyname"),
    "full_name": ("namn", "fulltnamn", "name", "fullname"),
    "phone": (
        "mobil",
        "mobiltelefon",
        "mobilnummer",
        "mobilnr",
        "mobile",
        "mobilephone",
        "cellphone",
        "telefon",
        "telefonnummer",
        "telefonnr",
        "tel",
        "phone",
        "phonenumber",
        "telephone",
    ),
    "email": ("epost", "epostadress", "mejl", "mejladress", "email", "emailaddress", "mail"),
    "address": (
        "adress",
        "gatuadress",
        "utdelningsadress",
        "postadress",
        "address",
        "streetaddress",
        "street",
    ),
    "postcode": ("postnummer", "postnr", "postcode", "postalcode", "zip", "zipcode"),
    "city": ("ort", "postort", "city", "town"),
    "municipality": ("kommun", "municipality"),
    "association": ("partiforening", "forening", "lokalforening", "association"),
    "joined_on": ("intradesdatum", "intrade", "medlemsedan", "joined", "joinedon", "membersince", "joindate"),
    "birth_year": ("fodelsear", "birthyear", "yearofbirth"),
    "birth_date": ("fodelsedatum", "fodd", "birthdate", "dateofbirth"),
}
FIELDS = tuple(ALIASES)
KEY_FIELDS = ("member_number", "first_name", "last_name")
KEY_LABELS = {"member_number": "Medlemsnummer", "first_name": "Förnamn", "last_name": "Efternamn"}
_BY_ALIAS = {alias: (name, rank) for name, aliases in ALIASES.items() for rank, alias in enumerate(aliases)}
SEPARATORS = (";", ",", "\t")
MAX_COLUMNS = 500  # registry exports have a few dozen; thousands is a damaged file, and floods the report
# The district has about 30,000 members; a file with millions of rows is a wrong or damaged export, and
# took over a gigabyte and a minute to import (1,000,000 rows: 62 s, 1.1 GB; on the upload page far past
# gunicorn's 30 s). The reader stops one row past the limit, so a huge file costs no more memory than the
# limit does (config REGISTRY_MAX_ROWS, default this).
MAX_ROWS = 200_000


def _(text: str, **params: Any) -> str:
    """Flask-Babel's gettext inside a request; the Swedish source text elsewhere.

    The app's locale selector reads the request, so Flask-Babel cannot translate from the CLI; there the
    Swedish text (the source language) is what the organizers read anyway.
    """
    if has_request_context():
        return gettext(text, **params)
    return text % params if params else text


class RegistryFileError(Exception):
    """The whole file is refused: unreadable, or without a column the import cannot do without."""


@dataclass
class RegistryFile:
    """The file's rows as stripped strings, indexed by row number in the file (the header is row 1)."""

    frame: pd.DataFrame
    headers: dict[str, str]  # field -> the file's header(s) for it, as the report names the column
    unknown: list[str] = field(default_factory=list)  # headers that were ignored
    encoding: str = ""
    separator: str = ""


def parse_mapping(items: list[str] | tuple[str, ...]) -> dict[str, str]:
    """["Medl nr=member_number"] -> {"Medl nr": "member_number"}; a field may be named by an alias too."""
    mapping: dict[str, str] = {}
    for item in items:
        column, sep, target = item.rpartition("=")
        key, target = fold(column), target.strip()
        name = target if target in ALIASES else _BY_ALIAS.get(fold(target), (None, 0))[0]
        if not sep or not key or name is None:
            raise RegistryFileError(
                _(
                    "Ogiltig --map '%(item)s': skriv KOLUMN=fält, där fält är ett av %(fields)s.",
                    item=item,
                    fields=", ".join(FIELDS),
                )
            )
        mapping[column.strip()] = name
    return mapping


def decode(data: bytes) -> tuple[str, str]:
    """The text and its encoding: UTF-8 or UTF-16 (with or without BOM), else Windows-1252.

    Raises tabular.NotText for NUL bytes, and for bytes that Windows-1252 leaves undefined: a file with
    those is not a Swedish Excel export either.
    """
    return tabular.decode_text(data, fallback="cp1252")


def sniff_separator(text: str) -> str:
    """The separator used most in the header line (outside quotes): headers rarely contain one."""
    first = text.split("\n", 1)[0]
    try:
        cells = {sep: len(next(csv.reader([first], delimiter=sep))) for sep in SEPARATORS}
    except (csv.Error, StopIteration):
        return ","
    best = max(SEPARATORS, key=lambda sep: cells[sep])
    return best if cells[best] > 1 else ","


def _read_frame(data: bytes, filename: str, nrows: int | None) -> tuple[pd.DataFrame, str, str]:
    name = filename.lower()
    if data.startswith(b"\xd0\xcf\x11\xe0") or name.endswith(".xls"):
        raise RegistryFileError(
            _("%(file)s: gamla Excel-filer (.xls) kan inte läsas. Spara som .xlsx eller CSV.", file=filename)
        )
    if data.startswith(b"PK\x03\x04") or name.endswith((".xlsx", ".xlsm")):
        try:
            with warnings.catch_warnings():
                # openpyxl warns about styles and data validation it ignores; neither matters here.
                warnings.simplefilter("ignore", UserWarning)
                frame = pd.read_excel(
                    io.BytesIO(data), dtype=str, keep_default_na=False, engine="openpyxl", nrows=nrows
                )
        except Exception as exc:  # openpyxl raises many kinds for a damaged file
            raise RegistryFileError(
                _(
                    "%(file)s: kunde inte läsas som Excel-fil (%(error)s).",
                    file=filename,
                    error=shorten(str(exc) or type(exc).__name__, 200),
                )
            ) from exc
        return frame, "XLSX", ""
    try:
        text, encoding = decode(data)
    except tabular.NotText as exc:
        if exc.reason == "nul":
            message = _("%(file)s: innehåller NUL-byte (en binärfil?).", file=filename)
        else:
            message = _(
                "%(file)s: okänd teckenkodning (varken UTF-8, UTF-16 eller Windows-1252).", file=filename
            )
        raise RegistryFileError(message) from exc
    separator = sniff_separator(text)
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=separator,
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=False,
            index_col=False,
            nrows=nrows,
        )
    except pd.errors.EmptyDataError as exc:
        raise RegistryFileError(_("%(file)s: filen är tom.", file=filename)) from exc
    except (pd.errors.ParserError, ValueError) as exc:
        raise RegistryFileError(
            _(
                "%(file)s: kunde inte läsas som CSV (%(error)s).",
                file=filename,
                error=shorten(str(exc).strip(), 200),
            )
        ) from exc
    return frame, encoding, separator


def read_registry(
    data: bytes, filename: str, mapping: dict[str, str] | None = None, max_rows: int | None = MAX_ROWS
) -> RegistryFile:
    """Read `data` (CSV or XLSX) into our fields. Raises RegistryFileError naming the file and the problem.

    A file with more than `max_rows` rows (None: no limit) is refused whole, read no further than that.
    """
    frame, encoding, separator = _read_frame(data, filename, max_rows + 1 if max_rows else None)
    if max_rows and len(frame) > max_rows:
        raise RegistryFileError(
            _(
                "%(file)s: fler än %(max)s rader efter rubrikraden; så många medlemmar har inget register. "
                "Är det rätt fil? Inget importerades.",
                file=filename,
                max=f"{max_rows:,}".replace(",", "\u00a0"),  # 200 000, as Swedish writes it, never wrapped
            )
        )
    if len(frame.columns) > MAX_COLUMNS:
        raise RegistryFileError(
            _(
                "%(file)s: %(n)d kolumner; ett medlemsregister har högst %(max)d. Är rubrikraden trasig?",
                file=filename,
                n=len(frame.columns),
                max=MAX_COLUMNS,
            )
        )
    folded = {fold(str(h)) for h in frame.columns}
    for column in mapping or {}:
        if fold(column) not in folded:
            raise RegistryFileError(
                _("%(file)s: kolumnen '%(column)s' i --map finns inte i filen.", file=filename, column=column)
            )
    mapping = {fold(column): name for column, name in (mapping or {}).items()}
    sources: dict[str, list[tuple[int, str]]] = {}
    unknown = []
    for header in frame.columns:
        key = fold(str(header))
        if key in mapping:
            target, rank = mapping[key], -1  # explicit beats any alias
        elif key in _BY_ALIAS:
            target, rank = _BY_ALIAS[key]
        else:
            unknown.append(str(header))
            continue
        sources.setdefault(target, []).append((rank, header))
    have = set(sources) | {"first_name", "last_name"} if "full_name" in sources else set(sources)
    missing = [name for name in KEY_FIELDS if name not in have]
    if missing:
        raise RegistryFileError(
            _(
                "%(file)s: kolumner saknas: %(missing)s. Rubrikraden har: %(headers)s. "
                'Byt namn på kolumnen i filen (eller använd --map "Kolumn=fält" på kommandoraden).',
                file=filename,
                missing=", ".join(f"{KEY_LABELS[name]} ({name})" for name in missing),
                headers=shorten(", ".join(map(str, frame.columns)), 300) or "-",
            )
        )
    frame = frame.fillna("")
    clean = pd.DataFrame(index=frame.index)
    headers = {}
    for target, columns in sources.items():
        columns.sort(key=lambda item: item[0])
        values = frame[columns[0][1]].astype(str).str.strip()
        for _rank, header in columns[1:]:
            values = values.where(values != "", frame[header].astype(str).str.strip())
        clean[target] = values
        headers[target] = " / ".join(str(h) for _r, h in columns)
    clean.index = clean.index + 2  # the header is row 1, as a spreadsheet shows it
    blank = (clean == "").all(axis=1) if len(clean.columns) else pd.Series(True, index=clean.index)
    return RegistryFile(clean[~blank], headers, unknown, encoding, separator)
