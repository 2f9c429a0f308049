"""A member answering a one-page survey over HTTP, as a browser without JavaScript would, and retrying.

Three requests: GET the page (session cookie, CSRF token), POST the answers, POST the send. A request
that got no answer (the server died under it, or was down) is simply sent again, as a member presses the
button again; a 400 means the CSRF token or session is gone, and the member reloads the page first. Only
the standard library: the client must not hide anything (no redirects followed, no retries of its own).
"""

from __future__ import annotations

import http.client
import re
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
GET_PAGE, POST_ANSWERS, POST_SEND, DONE = range(4)


@dataclass
class Respondent:
    """One member's way through the survey; `step` is the request to send next."""

    port: int
    token: str
    section: str
    answers: list[tuple[str, str]]
    step: int = GET_PAGE
    acknowledged: bool = False
    cookies: dict[str, str] = field(default_factory=dict)
    csrf: str = ""
    statuses: list[int] = field(default_factory=list)  # every HTTP status received
    lost: list[str] = field(default_factory=list)  # requests without an answer: the exception's class
    refused: int = 0  # connection refused: the server was down, nothing was sent

    def _request(self, method: str, path: str, form: list[tuple[str, str]] | None = None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
            body = None
            if form is not None:
                body = urlencode([("csrf_token", self.csrf), *form])
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
            for header in response.headers.get_all("Set-Cookie") or []:
                name, _, value = header.split(";", 1)[0].partition("=")
                self.cookies[name.strip()] = value
            self.statuses.append(response.status)
            return response.status, response.headers.get("Location", ""), text
        finally:
            connection.close()

    def advance(self) -> None:
        """Send the next request once; raises OSError or HTTPException when no answer came back."""
        base = f"/s/{self.token}"
        if self.step == GET_PAGE:
            status, _where, text = self._request("GET", f"{base}/p/{self.section}")
            found = CSRF.search(text) if status == 200 else None
            if found:
                self.csrf, self.step = found.group(1), POST_ANSWERS
            return
        if self.step == POST_ANSWERS:
            status, where, _text = self._request(
                "POST", f"{base}/p/{self.section}", [*self.answers, ("action", "next")]
            )
            if status == 302 and where.endswith(f"{base}/review"):
                self.step = POST_SEND
            elif status == 400:
                self.step = GET_PAGE
            return
        status, where, _text = self._request("POST", f"{base}/submit", [])
        if status == 302 and where.endswith(f"{base}/thanks"):
            self.step, self.acknowledged = DONE, True
        elif status == 400:
            self.step = GET_PAGE

    def run(self, start: threading.Barrier, deadline: float) -> None:
        """Until acknowledged: every request that got no answer is sent again once the server listens."""
        start.wait()
        while self.step != DONE and time.monotonic() < deadline:
            try:
                self.advance()
            except ConnectionRefusedError:
                self.refused += 1
                time.sleep(0.25)  # 200 members polling a restarting server must not starve it of CPU
            except (OSError, http.client.HTTPException) as exc:
                self.lost.append(type(exc).__name__)
                time.sleep(0.1)
