"""Members' rights: data export and erasure; the audit log."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("privacy", __name__, url_prefix="/admin/privacy")
