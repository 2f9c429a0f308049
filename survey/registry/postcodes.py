"""Postcode and municipality -> local association, for registry rows that name no association.

The table is data (survey/data/postcodes.yaml) rather than code so the district can correct a range
without a release; KRAFTKARTAN_POSTCODES_FILE (config key POSTCODES_FILE) points to another
file. Plain data in, plain data out: no database here, the importer maps slugs to organisations.
"""

from __future__ import annotations

import os
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

DEFAULT_FILE = Path(__file__).resolve().parents[1] / "data" / "postcodes.yaml"


class PostcodeTableError(ValueError):
    """The table file is malformed; raised on load so a bad table is noticed before any import."""


def fold(text: str) -> str:
    """Lower case, no diacritics, only letters and digits: "Örnsköldsvik kommun" -> "ornskoldsvikkommun"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if c.isalnum() and not unicodedata.combining(c))


@dataclass(frozen=True)
class PostcodeTable:
    prefixes: dict[str, str | None] = field(default_factory=dict)  # "852" -> "sundsvall"; None: outside
    municipalities: dict[str, str] = field(default_factory=dict)  # folded name or code -> slug

    def by_postcode(self, postcode: str | None) -> str | None:
        """The association slug for a five-digit postcode; the longest matching prefix wins."""
        if not postcode:
            return None
        for length in range(len(postcode), 0, -1):
            if postcode[:length] in self.prefixes:
                return self.prefixes[postcode[:length]]
        return None

    def by_municipality(self, name: str | None) -> str | None:
        """The slug for "Sundsvall", "sundsvalls kommun", "SUNDSVALL" or "2281"."""
        if not name:
            return None
        key = fold(name)
        key = key.removesuffix("kommun") or key
        if key in self.municipalities:
            return self.municipalities[key]
        # Genitive: "Sundsvalls kommun".
        return self.municipalities.get(key[:-1]) if key.endswith("s") else None


def parse(data: object, source: str = "postcodes") -> PostcodeTable:
    """Validate the YAML structure; the same prefix for two associations is an error, not a silent pick."""
    if not isinstance(data, dict) or not isinstance(data.get("associations"), dict):
        raise PostcodeTableError(f"{source}: expected a mapping with 'associations'")
    prefixes: dict[str, str | None] = {}
    municipalities: dict[str, str] = {}
    for slug, entry in data["associations"].items():
        entry = entry or {}
        for raw in entry.get("postcodes") or []:
            prefix = str(raw).replace(" ", "")
            if not prefix.isdigit() or not 1 <= len(prefix) <= 5:
                raise PostcodeTableError(f"{source}: {slug}: '{raw}' is not a postcode prefix (1-5 digits)")
            if prefix in prefixes:
                raise PostcodeTableError(
                    f"{source}: prefix {prefix} is given twice ({prefixes[prefix]}, {slug})"
                )
            prefixes[prefix] = str(slug)
        for name in entry.get("municipalities") or []:
            key = fold(str(name))
            if key in municipalities and municipalities[key] != slug:
                raise PostcodeTableError(f"{source}: municipality '{name}' is given twice")
            municipalities[key] = str(slug)
    for raw in data.get("outside_district") or []:
        prefix = str(raw).replace(" ", "")
        if prefix in prefixes:
            raise PostcodeTableError(f"{source}: prefix {prefix} is both inside and outside the district")
        prefixes[prefix] = None
    return PostcodeTable(prefixes, municipalities)


@lru_cache(maxsize=4)
def _load(path: str, mtime_ns: int) -> PostcodeTable:
    with open(path, encoding="utf-8") as fh:
        return parse(yaml.safe_load(fh), path)


def load(path: str | os.PathLike | None = None) -> PostcodeTable:
    """The table at `path` (default: the shipped one), re-read only when the file changes."""
    path = str(path or DEFAULT_FILE)
    return _load(path, os.stat(path).st_mtime_ns)


def configured_path(config: dict | None = None) -> str:
    """The configured table (KRAFTKARTAN_POSTCODES_FILE, read by survey.config), else the shipped one."""
    return str((config or {}).get("POSTCODES_FILE") or DEFAULT_FILE)
