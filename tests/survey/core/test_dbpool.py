"""Idle server connections are pinged before use, busy ones are not (survey/core/dbpool.py)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from survey.core import dbpool
from survey.extensions import db

pytestmark = [pytest.mark.postgres, pytest.mark.parametrize("backend", ["postgresql"], indirect=True)]


@pytest.fixture
def pings(monkeypatch) -> list:
    seen = []
    real = dbpool._ping

    def counted(conn):
        seen.append(conn)
        real(conn)

    monkeypatch.setattr(dbpool, "_ping", counted)
    return seen


def _pid() -> int:
    pid = db.session.scalar(sa.text("SELECT pg_backend_pid()"))
    db.session.remove()  # back to the pool
    return pid


def test_an_idle_connection_the_server_dropped_is_replaced_before_the_request_sees_it(app, pg_cluster, pings,
                                                                                      monkeypatch):
    db.engine.dispose()
    first = _pid()
    with pg_cluster.connect(autocommit=True) as admin:  # the server drops it, as a restart would
        admin.execute("SELECT pg_terminate_backend(%s)", (first,))
    monkeypatch.setattr(dbpool, "IDLE_SECONDS", 0.0)  # and it has sat idle long enough
    second = _pid()  # no error: the ping failed and the pool connected anew
    assert second != first and len(pings) == 1


def test_a_connection_in_steady_use_is_not_pinged_and_an_idle_one_is(app, pings, monkeypatch):
    db.engine.dispose()
    pids = {_pid() for _ in range(4)}
    assert pings == [] and len(pids) == 1  # one connection, reused, never pinged
    monkeypatch.setattr(dbpool, "IDLE_SECONDS", 0.0)
    assert _pid() in pids and len(pings) == 1  # pinged, alive, kept
    assert db.session.scalar(sa.text("SELECT 1")) == 1  # the ping left no transaction behind


def test_the_read_engine_stays_in_autocommit_and_is_disposed_with_the_main_one(app):
    reads = dbpool.read_engine()
    assert reads is not None and reads.url == db.engine.url
    for _ in range(2):  # a connection handed back keeps autocommit: nothing to switch on the next use
        connection = reads.raw_connection()
        assert connection.driver_connection.autocommit is True
        connection.cursor().execute("SELECT 1")
        connection.close()
    assert reads.pool.checkedin() == 1
    db.engine.dispose()  # what every place that closes the app's connections calls
    assert reads.pool.checkedin() == 0


def test_sqlite_reads_through_the_main_engine(backend):
    assert dbpool.read_binds("sqlite:///x.sqlite3", {}) == {}
    binds = dbpool.read_binds("postgresql+psycopg://h/db", {"pool_size": 3})
    assert binds[dbpool.READS] == {"pool_size": 3, "url": "postgresql+psycopg://h/db",
                                   "isolation_level": "AUTOCOMMIT", "pool_reset_on_return": None}


def test_a_page_read_on_a_connection_the_server_dropped_fails_once_and_the_next_connects_anew(
        app, client, personal_link, pg_cluster):
    """A busy pooled connection is not pinged: if the server dropped it (a restart), the page in flight
    fails, as with SQLAlchemy's own execution, and the pool is emptied, so the next page connects anew
    instead of getting the dead connection back (survey/respond/snapshot.py reads through the driver)."""
    survey, _member, token = personal_link()
    page = f"/s/{token}/p/{survey.sections[1].key}"
    assert client.get(page).status_code == 200  # the first visit makes the sheet
    assert client.get(page).status_code == 200  # this one reads on the read engine
    reads = dbpool.read_engine()
    connection = reads.raw_connection()
    pid = connection.driver_connection.info.backend_pid
    connection.close()
    with pg_cluster.connect(autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
    with pytest.raises(Exception, match="(?i)terminat|closed|connection"):
        client.get(page)
    assert client.get(page).status_code == 200
    connection = reads.raw_connection()
    assert connection.driver_connection.info.backend_pid != pid
    connection.close()
