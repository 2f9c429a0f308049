"""Kraftkartan: the member survey app and the shared core (factory, configuration, models).

The package itself stays light to import: `kraftkartan --help` and the pure modules import `survey.*`
without paying for SQLAlchemy, Alembic and the extensions. The factory lives in `survey.app`;
`create_app` here is the stable name everyone imports.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask

ROOT = Path(__file__).resolve().parent.parent
MIGRATIONS = ROOT / "migrations"
TEMPLATES = ROOT / "templates"


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app (see `survey.app.create_app`); it touches no database."""
    from survey.app import create_app as build

    return build(test_config)
