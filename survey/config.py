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


def from_environment(instance_path: str) -> dict[str, Any]:
    return {
        "SECRET_KEY": secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": database_url(instance_path),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "PUBLIC_BASE_URL": os.environ.get("KRAFTKARTAN_BASE_URL", "http://127.0.0.1:5000").rstrip("/"),
        "SESSION_COOKIE_SECURE": os.environ.get("KRAFTKARTAN_SECURE_COOKIES", "") in {"1", "true", "yes"},
        "REMEMBER_COOKIE_SECURE": os.environ.get("KRAFTKARTAN_SECURE_COOKIES", "") in {"1", "true", "yes"},
        "RATELIMIT_STORAGE_URI": os.environ.get("KRAFTKARTAN_RATELIMIT_STORAGE_URI", "memory://"),
        "PURGE_AFTER_DAYS": os.environ.get("KRAFTKARTAN_PURGE_AFTER_DAYS", "365"),
    }


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
    "BABEL_DEFAULT_TIMEZONE": "Europe/Stockholm",
    "LANGUAGES": ("sv", "en"),
    "TIMEZONE": "Europe/Stockholm",
    "RATELIMIT_STORAGE_URI": "memory://",
    "RATELIMIT_HEADERS_ENABLED": True,
    # Call lists: a caller's hold on a member ends after this long unfinished; targets are re-read from the
    # list's filter at most this often while callers ask for the next person.
    "CALLLIST_ALLOCATION_MINUTES": 15,
    "CALLLIST_REFRESH_SECONDS": 60,
}
