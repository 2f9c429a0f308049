"""Accounts: user management by admins, password changes, two-factor login."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("accounts", __name__, url_prefix="/admin/accounts")
