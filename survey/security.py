"""Response headers and the login loader: the parts of access control every request shares."""

from __future__ import annotations

from flask import Flask, Response, request

from survey.extensions import db, login_manager
from survey.models import User

# No inline script or style anywhere, so the policy can stay strict.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)


def init_app(app: Flask) -> None:
    app.after_request(_security_headers)


def _security_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    # Survey URLs carry personal tokens: never leak them to another site in a Referer header.
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    if request.endpoint and not request.endpoint.endswith("static"):
        response.headers.setdefault("Cache-Control", "no-store")
    return response


@login_manager.user_loader
def _load_user(user_id: str) -> User | None:
    return db.session.get(User, int(user_id))
