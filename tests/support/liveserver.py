"""Serve a WSGI app (e.g. a Flask app) on 127.0.0.1 in a background thread.

with LiveServer(app) as server:
    urllib.request.urlopen(server.url + "/")
"""

from __future__ import annotations

import logging
import threading

from werkzeug.serving import make_server

__all__ = ["LiveServer"]


class LiveServer:
    """werkzeug's threaded dev server on a free port, for urllib/Playwright tests. Context manager."""

    def __init__(self, app, host: str = "127.0.0.1", port: int = 0, *, quiet: bool = True):
        self.app = app
        self.host = host
        self.port = port  # 0 = pick a free port at start()
        self.quiet = quiet
        self.url: str | None = None
        self._server = None
        self._thread: threading.Thread | None = None

    def __enter__(self) -> LiveServer:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self) -> None:
        if self._server is not None:
            return
        if self.quiet:
            # werkzeug logs every request at INFO; keep test output readable
            logging.getLogger("werkzeug").setLevel(logging.WARNING)
        # Binding port 0 inside make_server avoids a find-port-then-bind race.
        self._server = make_server(self.host, self.port, self.app, threaded=True)
        self.port = self._server.server_port
        self.url = f"http://{self.host}:{self.port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"LiveServer:{self.port}",
            daemon=True,
        )
        self._thread.start()

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        try:
            server.shutdown()  # returns once serve_forever() has left its loop
            if self._thread is not None:
                self._thread.join(timeout=10)
        finally:
            server.server_close()  # closes the listening socket
            self._thread = None

    def __repr__(self) -> str:
        return f"<LiveServer {self.url or 'stopped'}>"
