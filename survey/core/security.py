"""What every request shares for access control: response headers, sessions, the login loader, 429s.

Sessions are Flask's signed cookies. To make a password change, a reset, two-factor changes and
deactivation end every existing session at once, each session carries a stamp derived from the account's
credentials; the loader refuses a session whose stamp no longer matches. Log in and out only through
`start_session` and `end_session`, never `login_user` directly, or the stamp is missing.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import time
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import login_user, logout_user
from werkzeug.exceptions import TooManyRequests
from werkzeug.middleware.proxy_fix import ProxyFix

from survey.extensions import db, limiter, login_manager
from survey.models import User

# No inline script or style anywhere, so the policy can stay strict.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
STAMP_KEY = "kk_stamp"
KEEP_ON_LOGIN = ("lang",)  # a language choice survives logging in and out; nothing else does


def init_app(app: Flask) -> None:
    app.after_request(_security_headers)
    # "strong": a session cookie replayed from another address or browser is dropped, not honoured.
    login_manager.session_protection = "strong"
    hops = _proxy_hops(app.config.get("PROXY_FIX", ""))
    if hops:
        # Behind a reverse proxy: the client's address (for rate limits) and https (for url_for and
        # Secure cookies) come from X-Forwarded-* headers, trusted for exactly this many proxies.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_prefix=hops)
    app.register_error_handler(TooManyRequests, _too_many_requests)


def _proxy_hops(value: object) -> int:
    text = str(value).strip().lower()
    if text in {"", "0", "false", "no", "none"}:
        return 0
    if text in {"true", "yes", "on"}:
        return 1
    return int(text)


def _security_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    # Survey URLs carry personal tokens: never leak them to another site in a Referer header.
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    if not (request.endpoint or "").endswith("static"):  # pages may show personal data: never cache them
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def _too_many_requests(exc: TooManyRequests):
    minutes = None
    current = limiter.current_limit
    if current is not None:
        minutes = max(1, math.ceil((current.reset_at - time.time()) / 60))
    message = (_("Vänta %(n)d minuter och försök igen.", n=minutes) if minutes and minutes > 1
               else _("Vänta en minut och försök igen."))
    return render_template("error.html", code=429, title=_("För många försök på kort tid"),
                           message=message), 429


# -- sessions --------------------------------------------------------------------------------------

def session_stamp(user: User) -> str:
    """Changes whenever the password or the two-factor secret does; keyed so the cookie reveals nothing."""
    key = str(current_app.secret_key).encode()
    material = f"{user.id}|{user.password_hash}|{user.totp_secret or ''}".encode()
    return hmac.new(key, material, hashlib.sha256).hexdigest()[:32]


def _clear_session() -> None:
    kept = {k: session[k] for k in KEEP_ON_LOGIN if k in session}
    session.clear()
    session.update(kept)


def start_session(user: User) -> None:
    """Log `user` in on a clean session (nothing from before the login carries over)."""
    _clear_session()
    login_user(user)
    session[STAMP_KEY] = session_stamp(user)


def refresh_stamp(user: User) -> None:
    """After changing one's own password or 2FA: keep this session, while all others end."""
    session[STAMP_KEY] = session_stamp(user)


def end_session() -> None:
    logout_user()
    _clear_session()


def safe_next(target: str | None) -> str:
    """Where to go after logging in: `target` if it is a path on this site, else the start page ("Idag",
    which sends callers on to their call lists)."""
    # Only same-site paths: an open redirect would make a convincing phishing link.
    if not target or not target.startswith("/") or target.startswith("//") or urlsplit(target).netloc:
        return url_for("today.index")
    return target


@login_manager.user_loader
def _load_user(user_id: str) -> User | None:
    user = db.session.get(User, int(user_id))
    # Flask-Login checks `active` only when logging in; a deactivated account must lose its sessions too.
    if user is None or not user.active:
        return None
    if not hmac.compare_digest(str(session.get(STAMP_KEY, "")), session_stamp(user)):
        return None
    return user
