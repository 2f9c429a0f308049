"""The start page at /: what Kraftkartan is, and where members and organizers go from here.

Members never need it (they arrive through a personal or open link), but whoever types the bare address,
or follows a link that lost its path, should land on something that says where to go rather than a 404.
"""

from __future__ import annotations

from flask import Blueprint, render_template

bp = Blueprint("home", __name__)


@bp.get("/")
def index():
    return render_template("home.html")
