"""Survey invitations by email, reminders, unsubscribe, SMS lists and QR codes."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("invitations", __name__, url_prefix="/admin/invitations")
