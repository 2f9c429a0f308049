"""gunicorn with the repo's gunicorn.conf.py, in a process group of its own so a test can SIGKILL all of it.

A crash test needs what production has: a master and its forked workers, the real WSGI entry point, the
settings from the environment. Killing only the master would leave orphaned workers still answering, so
the server is started as a new session and `kill9` sends SIGKILL to the whole group at once.
"""

from __future__ import annotations

import importlib.util
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from tests.support.redisserver import free_port, wait_for_port

ROOT = Path(__file__).resolve().parents[2]


def gunicorn_available() -> str | None:
    """None when gunicorn can be imported, else why not (for tests.support.require)."""
    return None if importlib.util.find_spec("gunicorn") else "gunicorn is not installed"


class Gunicorn:
    """One gunicorn on a fixed port: start it, SIGKILL its process group, start it again on that port."""

    def __init__(self, env: dict[str, str], log: Path, workers: int = 2, threads: int = 4) -> None:
        self.port = free_port()
        self.log = log
        self.env = {
            **os.environ,
            **env,
            "KRAFTKARTAN_BIND": f"127.0.0.1:{self.port}",
            "KRAFTKARTAN_WORKERS": str(workers),
            "KRAFTKARTAN_THREADS": str(threads),
        }
        self.process: subprocess.Popen | None = None

    def start(self, seconds: float = 60) -> None:
        with self.log.open("a") as out:  # the child keeps its own descriptor; a pipe could fill and block it
            self.process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"],
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            wait_for_port(self.port, seconds)
        except Exception as exc:
            raise RuntimeError(f"gunicorn did not start:\n{self.log.read_text()[-3000:]}") from exc

    def kill9(self) -> None:
        """SIGKILL to the master and every worker in the same instant: nothing can clean up."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)
        # The workers are the master's children, reaped by init, maybe never (a container's bare PID 1):
        # dead once their listening socket is gone, whatever the process table says.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", self.port)) != 0:
                    return
            time.sleep(0.05)
        raise RuntimeError("gunicorn still listens after SIGKILL")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGQUIT)  # gunicorn's quick shutdown
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
