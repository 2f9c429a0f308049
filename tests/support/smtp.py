"""A real SMTP server for tests: aiosmtpd on 127.0.0.1 and a free port, keeping what it accepts.

with SmtpServer() as smtp:
    app.config.update(smtp.config())
    ...
    smtp.messages[0]["Subject"]

`reject` refuses given recipients (e.g. {"x@example.org": "550 5.1.1 No such user"}); `accept_at_most`
makes the server answer "451 try again later" once that many messages were accepted.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import threading
from dataclasses import dataclass, field
from email.message import EmailMessage

from aiosmtpd.controller import Controller

__all__ = ["SmtpServer", "Received"]


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage = field(repr=False)

    def __getitem__(self, header: str) -> str | None:
        return self.message[header]

    @property
    def body(self) -> str:
        return self.message.get_body(("plain",)).get_content()


class _FreePortController(Controller):
    """aiosmtpd binds port 0 fine but then connects to port 0 to check it is up; give it the real port."""

    def _trigger_server(self) -> None:
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


class SmtpServer:
    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay  # seconds before accepting each message: a slow relay
        self.messages: list[Received] = []
        self.reject: dict[str, str] = {}
        self.accept_at_most: int | None = None
        self._lock = threading.Lock()
        self._controller = _FreePortController(self, hostname="127.0.0.1", port=0)

    @property
    def port(self) -> int:
        return self._controller.port

    def config(self) -> dict[str, str | int]:
        """App config for Kraftkartan's mailer pointing at this server."""
        return {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": self.port, "SMTP_TLS": "none",
                "MAIL_FROM": "Västernorrland <kraftkartan@example.org>", "SMTP_TIMEOUT": 5}

    def recipients(self) -> list[str]:
        with self._lock:
            return [rcpt for m in self.messages for rcpt in m.rcpt_tos]

    def __enter__(self) -> SmtpServer:
        self._controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._controller.stop()

    # aiosmtpd handler hooks ------------------------------------------------------------------------

    async def handle_RCPT(self, server, session, envelope, address: str, rcpt_options) -> str:
        if address in self.reject:
            return self.reject[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:
        if self.delay:
            await asyncio.sleep(self.delay)
        with self._lock:
            if self.accept_at_most is not None and len(self.messages) >= self.accept_at_most:
                return "451 4.3.0 Try again later"
            message = email.message_from_bytes(envelope.content, policy=email.policy.default)
            self.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"
