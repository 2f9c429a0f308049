"""Two gunicorn servers on one PostgreSQL database share their login rate limits through Redis.

With `KRAFTKARTAN_RATELIMIT_STORAGE_URI=redis://...` a password guesser gains nothing by spreading
attempts over the servers behind a load balancer: the 11th failed login within a minute from one address
is refused whichever server answers. (With the in-memory default each process would count on its own.)
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import HTTPCookieProcessor, Request, build_opener

import pytest

from tests.support import require
from tests.support.redisserver import RedisServer, free_port, redis_available, wait_for_port

ROOT = Path(__file__).resolve().parents[1]


def _gunicorn(port: int, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"], cwd=ROOT,
        env={**os.environ, **env, "KRAFTKARTAN_BIND": f"127.0.0.1:{port}", "KRAFTKARTAN_WORKERS": "1"},
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def _serve(env: dict[str, str], taken: set[int]) -> tuple[int, subprocess.Popen]:
    """A gunicorn listening on a port of its own. A port found free can be taken before gunicorn binds
    it (another test's client connection gets it as its ephemeral port): then gunicorn exits, and this
    tries another port instead of waiting a minute for nothing."""
    for _ in range(3):
        port = free_port()
        if port in taken:
            continue
        server = _gunicorn(port, env)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and server.poll() is None:
            try:
                wait_for_port(port, 0.5)
                return port, server
            except TimeoutError:
                continue
        if server.poll() is None:
            server.kill()
        stderr = server.communicate(timeout=30)[1]
        if "in use" not in stderr:
            raise AssertionError(f"gunicorn on port {port} did not start:\n{stderr}")
    raise AssertionError("no free port for gunicorn after 3 tries")


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgresql"])
def test_two_servers_share_login_limits_through_redis(app, tmp_path):
    require(redis_available())
    opener = build_opener(HTTPCookieProcessor())  # one browser: the session cookie works on both servers

    def attempt(port: int) -> int:
        page = opener.open(f"http://127.0.0.1:{port}/admin/login", timeout=10).read().decode()
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        body = urlencode({"csrf_token": token, "email": "gissning@example.org", "password": "fel"}).encode()
        request = Request(f"http://127.0.0.1:{port}/admin/login", data=body,
                          headers={"Referer": f"http://127.0.0.1:{port}/admin/login"})
        try:
            return opener.open(request, timeout=10).status
        except HTTPError as exc:
            return exc.code

    with RedisServer() as redis:
        env = {"KRAFTKARTAN_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
               "KRAFTKARTAN_SECRET_KEY": "shared-secret-for-both", "KRAFTKARTAN_INSTANCE_PATH": str(tmp_path),
               "KRAFTKARTAN_RATELIMIT_STORAGE_URI": redis.url}
        ports, servers = [], []
        try:
            for _ in range(2):
                port, server = _serve(env, set(ports))
                ports.append(port)
                servers.append(server)
            statuses = [attempt(ports[i % 2]) for i in range(12)]
        finally:
            for server in servers:
                server.send_signal(signal.SIGQUIT)  # gunicorn's quick shutdown: nothing left to finish
            errors = [server.communicate(timeout=30)[1] for server in servers]
    assert statuses[:10] == [200] * 10, (statuses, errors)  # the form again: wrong password
    assert statuses[10:] == [429, 429], (statuses, errors)  # refused on both servers
