"""A throwaway Redis on a free port for tests (never the system one): `with RedisServer() as r: r.url`."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time

__all__ = ["RedisServer", "redis_available"]


def redis_available() -> str | None:
    """None when redis-server can be started, else why not (for tests.support.require)."""
    if shutil.which("redis-server"):
        return None
    return "redis-server is not installed (apt-get install redis-server)"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {seconds} s")


class RedisServer:
    """redis-server in the foreground, in memory only (no dump, no append-only file), killed on exit."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._process: subprocess.Popen | None = None

    def __enter__(self) -> RedisServer:
        self._process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for_port(self.port)
        return self

    def __exit__(self, *exc) -> None:
        if self._process is not None:
            self._process.kill()
            self._process.wait(10)
