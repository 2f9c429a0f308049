"""Ping a pooled server connection before use only when it has sat idle (PostgreSQL).

A server can drop a connection under the pool: a restart, a proxy's or firewall's idle timeout. The
usual remedy, SQLAlchemy's ``pool_pre_ping``, pings on *every* checkout; for a survey page that reads
with one query it doubled the round trips (issue 12). Drops happen to idle connections, so only a
connection idle for more than ``IDLE_SECONDS`` is pinged; one that fails the ping is replaced before the
request sees it (``DisconnectionError`` makes the pool retry with a new connection). A server restarted
under load fails the requests in flight either way; SQLAlchemy then invalidates the pool, so the next
checkouts get new connections.
"""

from __future__ import annotations

import sqlite3
import time

import sqlalchemy as sa

IDLE_SECONDS = 10.0
_CHECKED_IN = "kk_checked_in"


@sa.event.listens_for(sa.pool.Pool, "checkin")
def _note_checkin(dbapi_connection, record) -> None:
    if dbapi_connection is not None:
        record.info[_CHECKED_IN] = time.monotonic()


@sa.event.listens_for(sa.pool.Pool, "checkout")
def _ping_if_idle(dbapi_connection, record, _proxy) -> None:
    if isinstance(dbapi_connection, sqlite3.Connection):
        return
    since = record.info.get(_CHECKED_IN)
    if since is None or time.monotonic() - since <= IDLE_SECONDS:
        return  # new (just connected) or busy: no ping
    try:
        _ping(dbapi_connection)
    except Exception as exc:  # any failure: the connection is gone
        raise sa.exc.DisconnectionError() from exc


def _ping(dbapi_connection) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("SELECT 1")
    finally:
        cursor.close()
    if not getattr(dbapi_connection, "autocommit", True):
        dbapi_connection.rollback()  # the ping must not leave a transaction open


READS = "reads"


def read_binds(url: str, options: dict) -> dict:
    """The SQLALCHEMY_BINDS entry of the read engine, for a server database only: a second pool on the
    same database whose connections stay in autocommit, for reads that need no transaction (a survey
    page's one query: survey/respond/snapshot.py). Nothing to reset when a connection comes back: it
    never holds a transaction. SQLite starts no transaction for a read, so it needs none."""
    if not url.startswith("postgresql"):
        return {}
    return {READS: {**options, "url": url, "isolation_level": "AUTOCOMMIT", "pool_reset_on_return": None}}


def init_app(app) -> None:
    """Dispose of the read engine whenever the main engine is disposed (tests, forks, the backup's
    restore): every place that closes the app's connections calls ``db.engine.dispose()``."""
    from survey.extensions import db

    with app.app_context():
        reads = db.engines.get(READS)
        if reads is not None:
            sa.event.listen(db.engine, "engine_disposed", lambda _engine: reads.dispose())


def read_engine() -> sa.Engine | None:
    """The app's autocommit read engine, or None where reads go through the session (SQLite)."""
    from survey.extensions import db

    return db.engines.get(READS)
