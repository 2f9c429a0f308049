"""Which association a registry row's member belongs to: named in the row, or found from the postcode
table (municipality first, then postcode), with a note for the import report either way.
"""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa
from flask import current_app

from survey.extensions import db
from survey.models import Organisation, OrganisationKind
from survey.registry import postcodes
from survey.registry.read import RegistryFile, RegistryFileError, _
from survey.registry.rows import Note


class Associations:
    """Associations by name or slug (case- and diacritic-insensitive), and the postcode table's slugs."""

    def __init__(self) -> None:
        query = sa.select(Organisation).where(Organisation.kind == OrganisationKind.ASSOCIATION)
        self.by_key: dict[str, Organisation] = {}
        self.by_slug: dict[str, Organisation] = {}
        for org in db.session.scalars(query):
            self.by_slug[org.slug] = org
            self.by_key[postcodes.fold(org.slug)] = org
            self.by_key[postcodes.fold(org.name)] = org
        path = postcodes.configured_path(current_app.config)
        try:
            self.table = postcodes.load(path)
        except (OSError, postcodes.PostcodeTableError) as exc:  # a deployment's table, not the member file
            message = _("Postnummertabellen kunde inte läsas: %(error)s", error=str(exc))
            raise RegistryFileError(message) from exc

    def named(self, text: str) -> Organisation | None:
        return self.by_key.get(postcodes.fold(text))

    def from_table(self, municipality: str | None, postcode: str | None) -> tuple[Organisation | None, str]:
        """(association, what it came from) for a member whose row names none."""
        slug = self.table.by_municipality(municipality)
        if slug:
            return self.by_slug.get(slug), "municipality"
        slug = self.table.by_postcode(postcode)
        return (self.by_slug.get(slug), "postcode") if slug else (None, "")


def explicit(reg: RegistryFile, frame: pd.DataFrame, orgs: Associations, bad: pd.Series,
                           notes: list[Note]) -> dict[int, int]:
    """row -> association id for rows naming one; an unknown name is a problem for that row."""
    if "association" not in frame:
        return {}
    names = frame["association"].dropna()
    found = {name: orgs.named(name) for name in set(names.tolist())}
    result = {}
    for row, name in names.items():
        if found[name] is None:
            message = _("Föreningen finns inte i Kraftkartan (skriv namnet eller kortnamnet).")
            notes.append(Note(int(row), reg.headers["association"], name, message))
            bad[row] = True
        else:
            result[row] = found[name].id
    return result


def from_table(reg: RegistryFile, orgs: Associations, row: int, rec: dict,
                 notes: list[Note]) -> int | None:
    """The table's association for a row that names none (and whose member has none); noted either way."""
    org, source = orgs.from_table(rec.get("municipality"), rec.get("postcode"))
    if org is None:
        column = reg.headers.get("postcode") or reg.headers.get("municipality") or _("Förening")
        message = _("Ingen förening: varken förening, kommun eller postnummer pekar ut någon.")
        notes.append(Note(row, column, "", message, problem=False))
        return None
    if source == "municipality":
        message = _("Förening satt till %(name)s utifrån kommunen.", name=org.name)
    else:
        message = _("Förening satt till %(name)s utifrån postnumret.", name=org.name)
    notes.append(Note(row, reg.headers[source], rec[source], message, problem=False))
    return org.id
