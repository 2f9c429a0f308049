"""Configuration from the environment.

Everything a deployment changes comes from KRAFTKARTAN_* variables; nothing secret lives in the code.
The secret key, when not given, is generated once and kept in the instance folder so sessions survive
restarts without anyone having to invent a key.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

SECRET_KEY_FILE = "secret_key"
# The district's wall-clock zone: shown times, availability, shifts (survey.i18n.STOCKHOLM).
TIMEZONE = "Europe/Stockholm"


def database_url(instance_path: str) -> str:
    url = os.environ.get("KRAFTKARTAN_DATABASE_URL")
    if url:
        # Accept the common "postgresql://" spelling but always drive PostgreSQL through psycopg 3.
        if url.startswith("postgres://"):
            url = "postgresql://" + url.removeprefix("postgres://")
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
        return url
    return f"sqlite:///{Path(instance_path) / 'kraftkartan.sqlite3'}"


def secret_key(instance_path: str) -> str:
    key = os.environ.get("KRAFTKARTAN_SECRET_KEY")
    if key:
        return key
    path = Path(instance_path) / SECRET_KEY_FILE
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    key = secrets.token_hex(32)
    # O_EXCL: if two processes start at once, one writes and the other reads what was written.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


def engine_options(url: str) -> dict[str, Any]:
    """Nothing beyond the defaults: a server database's connections are pinged only after sitting idle
    (survey/core/dbpool.py), not on every checkout as `pool_pre_ping` would: that ping was one of a
    survey page's two round trips on PostgreSQL (issue 12). A SQLite file never drops a connection."""
    return {}


def instance_path(root: Path) -> str:
    return os.environ.get("KRAFTKARTAN_INSTANCE_PATH") or str(root / "instance")


def from_environment(instance_path: str) -> dict[str, Any]:
    """Every KRAFTKARTAN_* variable the app reads, as config keys: the one place the environment is read."""
    return {
        "SECRET_KEY": secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": database_url(instance_path),
        "SQLALCHEMY_ENGINE_OPTIONS": engine_options(database_url(instance_path)),
        "PUBLIC_BASE_URL": os.environ.get("KRAFTKARTAN_BASE_URL", "http://127.0.0.1:5000").rstrip("/"),
        "SESSION_COOKIE_SECURE": os.environ.get("KRAFTKARTAN_SECURE_COOKIES", "") in {"1", "true", "yes"},
        "REMEMBER_COOKIE_SECURE": os.environ.get("KRAFTKARTAN_SECURE_COOKIES", "") in {"1", "true", "yes"},
        "RATELIMIT_STORAGE_URI": os.environ.get("KRAFTKARTAN_RATELIMIT_STORAGE_URI", "memory://"),
        "PURGE_AFTER_DAYS": os.environ.get("KRAFTKARTAN_PURGE_AFTER_DAYS", "365"),
        # Admins read the whole district's answers: two-factor login is required of them, after a grace
        # period (in days from the account's creation) to set it up. Off only for the demo.
        "ADMIN_TOTP_REQUIRED": os.environ.get("KRAFTKARTAN_ADMIN_TOTP_REQUIRED", "1").strip().lower()
        not in {"0", "false", "no", "off"},
        "ADMIN_TOTP_GRACE_DAYS": int(os.environ.get("KRAFTKARTAN_ADMIN_TOTP_GRACE_DAYS", "7")),
        # Fields a member's own correction in the survey changes in the registry without an organizer, when
        # they came by their personal link (it proves who they are); other fields and links wait for review.
        "REGISTRY_AUTO_ACCEPT": tuple(
            f.strip() for f in os.environ.get("KRAFTKARTAN_REGISTRY_AUTO_ACCEPT", "phone,email").split(",")
            if f.strip()),
        # A registry file with more rows is refused whole (survey/registry/read.py's MAX_ROWS says why).
        "REGISTRY_MAX_ROWS": int(os.environ.get("KRAFTKARTAN_REGISTRY_MAX_ROWS", "200000")),
        # Long work (invitations, offers, letters, imports) runs in `kraftkartan worker` only when on.
        "JOBS_ENABLED": os.environ.get("KRAFTKARTAN_JOBS", "").strip().lower() in {"1", "true", "yes", "on"},
        "JOBS_URL": os.environ.get("KRAFTKARTAN_JOBS_URL") or None,
        # The SQLite queue's file (default: jobs.sqlite3 in the instance folder), and after how many seconds
        # without a heartbeat a running job counts as left by a dead worker.
        "JOBS_PATH": os.environ.get("KRAFTKARTAN_JOBS_PATH") or None,
        "JOBS_STALE_SECONDS": int(os.environ.get("KRAFTKARTAN_JOBS_STALE_SECONDS", "120")),
        # Hours a job's file (a letters PDF) is kept for its download before the worker removes it.
        "JOB_FILES_HOURS": float(os.environ.get("KRAFTKARTAN_JOB_FILES_HOURS", "24")),
        # Seconds a district-wide matching job gives the engine's branch-and-bound stage (then: the best
        # found so far, marked "not proven optimal").
        "MATCH_TIME_LIMIT": float(os.environ.get("KRAFTKARTAN_MATCH_TIME_LIMIT", "300")),
        **_optional(OPTIONAL),
    }


# Settings that are simply absent unless the environment gives them (their readers say what is missing).
OPTIONAL = ("PROXY_FIX", "POSTCODES_FILE", "MAIL_FROM", *(f"SMTP_{k}" for k in
            ("HOST", "PORT", "TLS", "USER", "PASSWORD", "TIMEOUT")))


def optional_from_environment() -> dict[str, str]:
    return _optional(OPTIONAL)


def _optional(keys: tuple[str, ...]) -> dict[str, str]:
    return {key: os.environ[f"KRAFTKARTAN_{key}"] for key in keys if os.environ.get(f"KRAFTKARTAN_{key}")}


DEFAULTS: dict[str, Any] = {
    # Survey pages post a few KB; anything much larger is not a member filling in a form.
    "MAX_CONTENT_LENGTH": 256 * 1024,
    "MAX_FORM_MEMORY_SIZE": 256 * 1024,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "WTF_CSRF_TIME_LIMIT": None,  # a member may leave a page open for hours and then save
    "BABEL_DEFAULT_LOCALE": "sv",
    "BABEL_DEFAULT_TIMEZONE": TIMEZONE,
    "LANGUAGES": ("sv", "en"),
    "RATELIMIT_STORAGE_URI": "memory://",
    "REGISTRY_AUTO_ACCEPT": ("phone", "email"),  # see from_environment
    "REGISTRY_MAX_ROWS": 200_000,  # see from_environment
    "RATELIMIT_HEADERS_ENABLED": True,
    "ADMIN_TOTP_REQUIRED": True,
    "ADMIN_TOTP_GRACE_DAYS": 7,
    # Call lists: a caller's hold on a member ends after this long unfinished; targets are re-read from the
    # list's filter at most this often while callers ask for the next person.
    "CALLLIST_ALLOCATION_MINUTES": 15,
    "CALLLIST_REFRESH_SECONDS": 60,
    "MATCH_TIME_LIMIT": 300.0,  # see from_environment
    "JOB_FILES_HOURS": 24.0,
}
