"""The app factory: `create_app` builds the Flask app and touches no database.

The schema is built only by `kraftkartan db upgrade`. Import it as `from survey import create_app`.
"""

from __future__ import annotations

import os
import sqlite3
from typing import Any

import sqlalchemy as sa
from flask import Flask, has_request_context, request, session
from flask_login import current_user

from survey import MIGRATIONS, ROOT, TEMPLATES, config
from survey.core import dbpool, lang  # dbpool's pool listeners ping idle server connections
from survey.extensions import babel, csrf, db, limiter, login_manager, migrate


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    app = Flask("survey", instance_path=config.instance_path(ROOT), template_folder=str(TEMPLATES))
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.from_mapping(config.DEFAULTS)
    if test_config is None or "SQLALCHEMY_DATABASE_URI" not in test_config:
        app.config.from_mapping(config.from_environment(app.instance_path))
    else:
        # A test's own database and key, but the deployment switches (proxy, mail ...) as configured.
        app.config.from_mapping(config.optional_from_environment())
    if test_config:
        app.config.from_mapping(test_config)
    app.config.setdefault("PUBLIC_BASE_URL", "http://127.0.0.1:5000")
    app.config.setdefault("SECRET_KEY", config.secret_key(app.instance_path))

    binds = app.config.setdefault("SQLALCHEMY_BINDS", {})
    binds.update(dbpool.read_binds(app.config["SQLALCHEMY_DATABASE_URI"],
                                   app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {})))
    db.init_app(app)
    dbpool.init_app(app)
    # Batch mode so SQLite can alter tables; the compare_* flags make `db check` and autogenerate see a
    # changed column type or server default, not only added and dropped columns.
    migrate.init_app(app, db, directory=str(MIGRATIONS), render_as_batch=True, compare_type=True,
                     compare_server_default=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=_select_locale)
    lang.init_app(app)
    # Templates get `current_user` as the lazy proxy, not Flask-Login's eagerly loaded user: a member's
    # survey page never asks who is logged in, and loading (and, under strong session protection,
    # rewriting) the session on every page cost each survey page a new session cookie (issue 12).
    login_manager.init_app(app, add_context_processor=False)
    app.context_processor(lambda: {"current_user": current_user})
    limiter.init_app(app)
    login_manager.login_view = "admin.login"
    login_manager.login_message = None

    from survey import web
    from survey.cli import register_commands
    from survey.core import access, logs, security

    security.init_app(app)
    access.init_app(app)
    logs.init_app(app)
    web.init_app(app)
    _register_blueprints(app)
    register_commands(app)

    # Outreach plugs in here, never at survey's import time (imports flow one way).
    import outreach

    outreach.init_app(app)
    return app


def _register_blueprints(app: Flask) -> None:
    """Every room of survey/ that serves pages; outreach/ registers its own in `outreach.init_app`."""
    from survey import home
    from survey.accounts import login
    from survey.accounts import views as accounts
    from survey.invitations import views as invitations
    from survey.jobs import views as jobs_pages
    from survey.networks import views as networks
    from survey.overview import views as overview
    from survey.privacy import views as privacy
    from survey.registry import correction_views
    from survey.registry import review_views as review
    from survey.registry import views as registry
    from survey.respond import views as respond
    from survey.today import views as today

    for module in (home, respond, login, registry, correction_views, review, accounts, invitations, privacy,
                   overview, networks, today, jobs_pages):
        app.register_blueprint(module.bp)


def _select_locale() -> str:
    if not has_request_context():
        return "sv"  # CLI, demo, background work
    lang = request.args.get("lang")
    if lang in ("sv", "en"):
        session["lang"] = lang
        return lang
    return session.get("lang", "sv")


@sa.event.listens_for(sa.engine.Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """Foreign keys are off by default in SQLite; WAL lets readers work while a member saves.

    secure_delete zeroes what a DELETE or UPDATE removes instead of leaving it in free space in the file,
    where an erased member's answers could otherwise be read back from the file or a copy of it.
    """
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()
