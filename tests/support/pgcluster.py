"""A throwaway PostgreSQL cluster, started and removed by the tests themselves.

    with PgCluster() as pg:
        url = pg.create_database("app_test")   # SQLAlchemy URL (psycopg 3 driver)

The cluster lives in a fresh temporary directory, listens on 127.0.0.1 on a free
port (plus a unix socket inside that directory), trusts every local connection as
user ``postgres`` and runs with durability switched off (fsync, full_page_writes,
synchronous_commit) for speed.

initdb and postgres refuse to run as root: when the tests run as root (CI), the
server binaries run as the ``postgres`` system user (created by Debian's package)
through ``runuser``/``setpriv``, and the cluster directory is handed to that user.

Cleanup is layered: ``stop()`` (context manager / fixture teardown), an ``atexit``
hook for a session that dies on an exception, and a small watchdog process that
stops the server and removes the directory if the test process is killed outright.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import re
import shlex
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

__all__ = ["PgCluster", "PgClusterError", "find_pg_bin"]

PG_USER = "postgres"  # database superuser created by initdb (-U)
SERVICE_USER = "postgres"  # system user that runs the server when we are root
_SOCKET_PATH_MAX = 100  # sun_path is 108 bytes; leave room for "/.s.PGSQL.NNNNN"

SERVER_SETTINGS = {
    "fsync": "off",
    "full_page_writes": "off",
    "synchronous_commit": "off",
    "max_connections": "100",
    "shared_buffers": "64MB",
    "max_wal_size": "1GB",
    "checkpoint_timeout": "30min",
    "autovacuum": "off",
    "jit": "off",
    "log_min_messages": "warning",
    "logging_collector": "off",
    "timezone": "UTC",
}


class PgClusterError(RuntimeError):
    pass


def _version_key(path: Path) -> tuple:
    # /usr/lib/postgresql/<ver>/bin -> numeric sort key on <ver>
    return tuple(int(p) for p in re.findall(r"\d+", path.parent.name)) or (0,)


def find_pg_bin() -> Path | None:
    """Directory holding initdb/pg_ctl/postgres: newest /usr/lib/postgresql/*/bin, else PATH.

    ``PG_BIN`` in the environment overrides both.
    """
    override = os.environ.get("PG_BIN")
    if override:
        p = Path(override)
        return p if (p / "initdb").is_file() else None
    candidates = [
        p
        for p in Path("/usr/lib/postgresql").glob("*/bin")
        if (p / "initdb").is_file() and (p / "pg_ctl").is_file()
    ]
    if candidates:
        return max(candidates, key=_version_key)
    initdb = shutil.which("initdb")
    if initdb:
        bindir = Path(initdb).resolve().parent
        if (bindir / "pg_ctl").is_file():
            return bindir
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class PgCluster:
    """A private PostgreSQL cluster in a temporary directory. Context manager."""

    def __init__(self, base_dir: Path | None = None, *, pg_bin: Path | None = None):
        self.base_dir = Path(base_dir) if base_dir is not None else None
        self.pg_bin = Path(pg_bin) if pg_bin is not None else None
        self.host = "127.0.0.1"
        self.port: int | None = None
        self.root: Path | None = None  # temp dir owned by us; holds data/ and the log
        self.datadir: Path | None = None
        self.logfile: Path | None = None
        self.socket_dir: Path | None = None
        self.start_seconds: float | None = None
        self._prefix: list[str] = []  # runuser ... -- when root
        self._watchdog: subprocess.Popen | None = None
        self._atexit_registered = False

    # -- context manager ---------------------------------------------------
    def __enter__(self) -> PgCluster:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return self.port is not None

    # -- lifecycle ---------------------------------------------------------
    def start(self) -> None:
        if self.running:
            return
        t0 = time.monotonic()
        pg_bin = self.pg_bin or find_pg_bin()
        if pg_bin is None:
            raise PgClusterError(
                "PostgreSQL server binaries not found (no /usr/lib/postgresql/*/bin/initdb, "
                "none on PATH); apt-get install postgresql"
            )
        self.pg_bin = pg_bin
        self._prefix = self._user_prefix()
        try:
            self._make_dirs()
            self._initdb()
            last_error = None
            for _attempt in range(5):  # a random port may be taken meanwhile (xdist workers)
                self.port = _free_port()
                self._write_conf()
                result = self._pg_ctl("start", "-w", "-t", "60", "-l", str(self.logfile), check=False)
                if result.returncode == 0:
                    break
                last_error = f"{result.stdout}{result.stderr}\n{self._log_tail()}"
                self.port = None
                if "already in use" not in last_error and "could not bind" not in last_error:
                    break
            if self.port is None:
                raise PgClusterError(f"pg_ctl start failed:\n{last_error}")
            if not self._atexit_registered:
                atexit.register(self.stop)
                self._atexit_registered = True
            self._start_watchdog()
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        self.start_seconds = time.monotonic() - t0

    def stop(self) -> None:
        """Stop the server (fast, then immediate, then SIGKILL) and remove the directory.

        Idempotent; safe to call from atexit.
        """
        if self.datadir is not None and (self.datadir / "postmaster.pid").exists():
            for mode in ("fast", "immediate"):
                with contextlib.suppress(Exception):
                    r = self._pg_ctl("stop", "-m", mode, "-w", "-t", "20", check=False)
                    if r.returncode == 0:
                        break
            pid = self._postmaster_pid()
            if pid is not None and _pid_alive(pid):
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)
        self.port = None
        self._stop_watchdog()
        if self.root is not None:
            shutil.rmtree(self.root, ignore_errors=True)
            self.root = self.datadir = self.logfile = self.socket_dir = None
        if self._atexit_registered:
            atexit.unregister(self.stop)
            self._atexit_registered = False

    # -- URLs and databases ------------------------------------------------
    def url(self, dbname: str = "postgres") -> str:
        """SQLAlchemy URL, e.g. ``postgresql+psycopg://postgres@127.0.0.1:5433/postgres``."""
        self._require_running()
        return f"postgresql+psycopg://{PG_USER}@{self.host}:{self.port}/{dbname}"

    def socket_url(self, dbname: str = "postgres") -> str | None:
        """The same database over the cluster's unix socket (None when its path would be too long):
        what an app on the database's own machine uses, without TCP's loopback work per query."""
        self._require_running()
        if self.socket_dir is None:
            return None
        return f"postgresql+psycopg://{PG_USER}@/{dbname}?host={self.socket_dir}&port={self.port}"

    def conninfo(self, dbname: str = "postgres") -> str:
        """libpq connection string for ``psycopg.connect()``."""
        self._require_running()
        return f"host={self.host} port={self.port} user={PG_USER} dbname={dbname} connect_timeout=10"

    def connect(self, dbname: str = "postgres", **kw):
        """A psycopg (v3) connection; use it as a context manager so it gets closed."""
        import psycopg

        return psycopg.connect(self.conninfo(dbname), **kw)

    def create_database(self, name: str, template: str | None = None) -> str:
        """CREATE DATABASE name [TEMPLATE template]; returns its SQLAlchemy URL.

        A template must have no open connections while it is being copied.
        """
        from psycopg import sql

        stmt = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template is not None:
            stmt = sql.SQL("{} TEMPLATE {}").format(stmt, sql.Identifier(template))
        with self.connect(autocommit=True) as conn:
            conn.execute(stmt)
        return self.url(name)

    def drop_database(self, name: str) -> None:
        """DROP DATABASE IF EXISTS name WITH (FORCE) -- kicks out open connections."""
        from psycopg import sql

        with self.connect(autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))

    # -- internals ---------------------------------------------------------
    def _require_running(self) -> None:
        if not self.running:
            raise PgClusterError("cluster is not running; call start() first")

    def _user_prefix(self) -> list[str]:
        if os.geteuid() != 0:
            return []
        try:
            import pwd

            pwd.getpwnam(SERVICE_USER)
        except KeyError:
            raise PgClusterError(
                f"running as root but there is no {SERVICE_USER!r} system user to run "
                "the server as (Debian's postgresql package creates it)"
            ) from None
        if shutil.which("runuser"):
            return ["runuser", "-u", SERVICE_USER, "--"]
        if shutil.which("setpriv"):
            return ["setpriv", f"--reuid={SERVICE_USER}", f"--regid={SERVICE_USER}", "--init-groups", "--"]
        raise PgClusterError("running as root but neither runuser nor setpriv is available")

    def _make_dirs(self) -> None:
        parent = self.base_dir
        if parent is not None:
            parent.mkdir(parents=True, exist_ok=True)
        self.root = Path(tempfile.mkdtemp(prefix="pgcluster-", dir=parent)).resolve()
        self.datadir = self.root / "data"
        self.logfile = self.root / "postgres.log"
        sock_probe = str(self.root) + "/.s.PGSQL.65535"
        self.socket_dir = self.root if len(sock_probe) <= _SOCKET_PATH_MAX else None
        if self._prefix:
            import pwd

            pw = pwd.getpwnam(SERVICE_USER)
            os.chown(self.root, pw.pw_uid, pw.pw_gid)
            os.chmod(self.root, 0o700)
            self._make_parents_traversable(self.root.parent)

    @staticmethod
    def _make_parents_traversable(path: Path) -> None:
        """Give 'others' search (x) permission on ancestors that lack it (root only).

        tempfile's /tmp/... dirs are fine; a base_dir under a 0700 dir needs this.
        """
        for p in [path, *path.parents]:
            st = p.stat()
            if not st.st_mode & stat.S_IXOTH:
                os.chmod(p, stat.S_IMODE(st.st_mode) | stat.S_IXOTH)

    def _run(self, argv: list[str], check: bool = True) -> subprocess.CompletedProcess:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        env.update(LC_ALL="C", LANG="C", TZ="UTC")
        result = subprocess.run(
            [*self._prefix, *argv],
            cwd=self.root,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=120,
        )
        if check and result.returncode != 0:
            raise PgClusterError(
                f"{shlex.join(argv)} exited {result.returncode}:\n{result.stdout}{result.stderr}"
            )
        return result

    def _pg_ctl(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return self._run([str(self.pg_bin / "pg_ctl"), "-D", str(self.datadir), *args], check=check)

    def _initdb(self) -> None:
        base = [
            str(self.pg_bin / "initdb"),
            "-D",
            str(self.datadir),
            "-U",
            PG_USER,
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-sync",
        ]
        r = self._run([*base, "--locale=C.UTF-8"], check=False)
        if r.returncode != 0:
            # C.UTF-8 unknown to this libc: plain C still stores UTF8 text fine.
            shutil.rmtree(self.datadir, ignore_errors=True)
            self._run([*base, "--locale=C"])

    def _write_conf(self) -> None:
        settings = dict(SERVER_SETTINGS)
        settings["listen_addresses"] = self.host
        settings["port"] = str(self.port)
        settings["unix_socket_directories"] = str(self.socket_dir or "")
        lines = ["# written by tests/support/pgcluster.py"]
        for k, v in settings.items():
            lines.append(f"{k} = '{v}'")
        # postgresql.auto.conf is read last, so these win; it stays owned by the server user
        conf = self.datadir / "postgresql.auto.conf"
        conf.write_text("\n".join(lines) + "\n")
        if self._prefix:
            import pwd

            pw = pwd.getpwnam(SERVICE_USER)
            os.chown(conf, pw.pw_uid, pw.pw_gid)

    def _wait_ready(self, timeout: float = 30.0) -> None:
        import psycopg

        deadline = time.monotonic() + timeout
        while True:
            try:
                with psycopg.connect(self.conninfo(), connect_timeout=5) as conn:
                    conn.execute("select 1")
                return
            except psycopg.OperationalError as exc:
                if time.monotonic() > deadline:
                    raise PgClusterError(f"server not ready: {exc}\n{self._log_tail()}") from exc
                time.sleep(0.05)

    def _postmaster_pid(self) -> int | None:
        try:
            first = (self.datadir / "postmaster.pid").read_text().split("\n", 1)[0]
            return int(first)
        except (OSError, ValueError, TypeError):
            return None

    def _log_tail(self, n: int = 30) -> str:
        try:
            return "\n".join(self.logfile.read_text(errors="replace").splitlines()[-n:])
        except (OSError, AttributeError):
            return ""

    def _start_watchdog(self) -> None:
        """A detached shell that cleans up if this process dies without running stop()."""
        pg_ctl = str(self.pg_bin / "pg_ctl")
        stop_cmd = shlex.join(
            [*self._prefix, pg_ctl, "-D", str(self.datadir), "stop", "-m", "immediate", "-w"]
        )
        script = (
            f"while kill -0 {os.getpid()} 2>/dev/null; do sleep 1; done; "
            f"cd / && {stop_cmd} >/dev/null 2>&1; rm -rf {shlex.quote(str(self.root))}"
        )
        self._watchdog = subprocess.Popen(
            ["/bin/sh", "-c", script],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # survives Ctrl-C / a killed process group
            close_fds=True,
        )

    def _stop_watchdog(self) -> None:
        wd, self._watchdog = self._watchdog, None
        if wd is None:
            return
        if wd.poll() is None:
            wd.kill()
        wd.wait()

    def __repr__(self) -> str:
        state = f"port={self.port} dir={self.root}" if self.running else "stopped"
        return f"<PgCluster {state}>"


if __name__ == "__main__":  # manual smoke test: python -m tests.support.pgcluster
    with PgCluster() as pg:
        print(pg, f"started in {pg.start_seconds:.2f}s", file=sys.stderr)
        print(pg.url())
