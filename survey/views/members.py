"""The member registry for organizers and admins: lists, import, duplicates."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("members", __name__, url_prefix="/admin/members")
