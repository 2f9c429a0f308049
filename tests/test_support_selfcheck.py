"""Self-check of the test infrastructure in tests/support.

Outside CI a missing postgres/chromium/playwright skips with the reason; in CI
(CI=true) it fails, so a CI run cannot pass by skipping everything real.
"""

from __future__ import annotations

import os
import urllib.request

import flask
import pytest

from tests.support import require
from tests.support.liveserver import LiveServer
from tests.support.pgcluster import PgCluster, find_pg_bin

PAGE_TEXT = "Kraftkartan self-check"


def _pg_problem() -> str | None:
    if find_pg_bin() is None:
        return "PostgreSQL server binaries not found (apt-get install postgresql)"
    try:
        import psycopg  # noqa: F401
    except ImportError as exc:
        return f"psycopg not importable: {exc}"
    return None


@pytest.fixture(scope="session")
def pg_cluster():
    require(_pg_problem())
    with PgCluster() as cluster:
        yield cluster


@pytest.fixture
def tiny_app():
    app = flask.Flask(__name__)

    @app.route("/")
    def index():
        return (
            "<!doctype html><html><head><meta name='viewport' "
            "content='width=device-width, initial-scale=1'><title>selfcheck</title></head>"
            f"<body><h1 id='msg'>{PAGE_TEXT}</h1></body></html>"
        )

    return app


@pytest.fixture
def live_server(tiny_app):
    with LiveServer(tiny_app) as server:
        yield server


def test_find_pg_bin():
    require(_pg_problem())
    bindir = find_pg_bin()
    assert (bindir / "initdb").is_file() and (bindir / "pg_ctl").is_file()


def test_pgcluster_database_from_template(pg_cluster):
    assert pg_cluster.url().startswith("postgresql+psycopg://postgres@127.0.0.1:")
    pg_cluster.create_database("selfcheck_tmpl")
    try:
        with pg_cluster.connect("selfcheck_tmpl") as conn:
            conn.execute("create table t (v text)")
            conn.execute("insert into t values ('från mallen')")
            conn.commit()
        url = pg_cluster.create_database("selfcheck_copy", template="selfcheck_tmpl")
        assert url.endswith(f":{pg_cluster.port}/selfcheck_copy")
        with pg_cluster.connect("selfcheck_copy") as conn:
            assert conn.execute("select 1").fetchone() == (1,)
            assert conn.execute("select v from t").fetchall() == [("från mallen",)]
            assert conn.execute("show server_encoding").fetchone() == ("UTF8",)
            assert conn.execute("show fsync").fetchone() == ("off",)
    finally:
        pg_cluster.drop_database("selfcheck_copy")
        pg_cluster.drop_database("selfcheck_tmpl")
    with pg_cluster.connect() as conn:
        names = {r[0] for r in conn.execute("select datname from pg_database")}
    assert not names & {"selfcheck_copy", "selfcheck_tmpl"}


def test_pgcluster_stop_removes_everything():
    require(_pg_problem())
    cluster = PgCluster()
    try:
        cluster.start()
        root, pid = cluster.root, cluster._postmaster_pid()
        assert root.is_dir() and pid is not None
        with cluster.connect() as conn:
            assert conn.execute("select 1").fetchone() == (1,)
    finally:
        cluster.stop()
    assert not root.exists()
    assert not os.path.exists(f"/proc/{pid}") or _is_zombie(pid)
    cluster.stop()  # idempotent


def _is_zombie(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def test_liveserver_serves_flask_app(live_server):
    assert live_server.url.startswith("http://127.0.0.1:")
    with urllib.request.urlopen(live_server.url + "/", timeout=10) as resp:
        assert resp.status == 200
        assert PAGE_TEXT in resp.read().decode()


def test_liveserver_stop_closes_port(tiny_app):
    server = LiveServer(tiny_app)
    server.start()
    url = server.url
    server.stop()
    with pytest.raises(OSError):
        urllib.request.urlopen(url + "/", timeout=2).close()


def test_browser_reads_page(live_server, tmp_path, chromium):
    # The worker's shared browser: a second sync_playwright() in one process fails while the first runs.
    page = chromium.new_page(viewport={"width": 375, "height": 667})
    try:
        page.goto(live_server.url + "/")
        assert page.text_content("#msg") == PAGE_TEXT
        assert page.evaluate("window.innerWidth") == 375
        shot = tmp_path / "selfcheck.png"
        page.screenshot(path=str(shot))
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    finally:
        page.close()


def test_axe_watch_finds_violations_live_and_without_javascript(chromium):
    """The accessibility check of the browser tests can fail: an unlabeled input and an image without
    alt text, behind a CSP that forbids injected scripts, are found on a page checked live and on
    one visited with JavaScript off (checked again afterwards); a clean page passes."""
    from tests.support.axe import AxeWatch

    app = flask.Flask(__name__)
    head = "<!doctype html><html lang='sv'><head><title>axe</title></head>"

    @app.after_request
    def csp(response):
        response.headers["Content-Security-Policy"] = "default-src 'self'; script-src 'none'"
        return response

    @app.route("/bad")
    def bad():
        return head + "<body><main><h1>Fel</h1><input type='text'><img src='/x.png'></main></body></html>"

    @app.route("/good")
    def good():
        return head + "<body><main><h1>Rätt</h1><label>Namn <input type='text'></label></main></body></html>"

    with LiveServer(app) as server:
        for javascript in (True, False):
            context = chromium.new_context(java_script_enabled=javascript)
            try:
                watch = AxeWatch(context)
                page = context.new_page()
                page.goto(server.url + "/good")
                page.goto(server.url + "/bad")
                page.wait_for_timeout(300)
                problems = watch.check()
            finally:
                context.close()
            assert {p.split(":")[0] for p in problems} == {"/bad"}, problems
            rules = " ".join(problems)
            assert "label" in rules and "image-alt" in rules, problems
