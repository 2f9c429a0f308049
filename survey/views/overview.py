"""Overview charts for organizers and the district."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("overview", __name__, url_prefix="/admin/overview")
