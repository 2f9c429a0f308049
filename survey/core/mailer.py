"""Email over SMTP: settings, composing a plain-text message, and one connection reused for a batch.

Only the standard library (smtplib, email): the app sends a few thousand plain-text messages per round
through whatever relay the district has, so a mail framework would add nothing but a dependency.

Errors come in two kinds because the caller must treat them differently:
- `MailerUnavailable`: no working connection (refused, TLS or login failed). Nothing was handed over for
  the current message, so it stays pending and the run stops.
- `DeliveryFailed`: the server refused this one message (a bad address, a full mailbox, "try later"), or
  the connection broke in the middle of it. It is recorded as failed with the server's words and can be
  retried; the batch goes on.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from types import TracebackType

from flask import current_app

TLS_MODES = ("none", "starttls", "ssl")
DEFAULT_PORTS = {"none": 25, "starttls": 587, "ssl": 465}


class MailerUnavailable(Exception):
    """The SMTP server could not be reached or refused the session: nothing was sent."""


class DeliveryFailed(Exception):
    """The server refused one message, or the connection broke while it was being sent."""


class NotConfigured(Exception):
    """No SMTP host or sender address is configured."""


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    tls: str
    user: str | None
    password: str | None
    mail_from: str  # "Kraftkartan <noreply@example.org>"
    timeout: float = 30.0

    @property
    def envelope_from(self) -> str:
        return parseaddr(self.mail_from)[1]


def _setting(key: str) -> str | None:
    """From the app config, which survey.config fills from the KRAFTKARTAN_* environment variables."""
    value = current_app.config.get(key)
    return None if value in (None, "") else str(value)


def settings() -> SmtpSettings:
    """The configured SMTP settings; raises NotConfigured with what is missing."""
    host, mail_from = _setting("SMTP_HOST"), _setting("MAIL_FROM")
    if not host or not mail_from or "@" not in parseaddr(mail_from)[1]:
        raise NotConfigured("set KRAFTKARTAN_SMTP_HOST and KRAFTKARTAN_MAIL_FROM (a sender address)")
    tls = (_setting("SMTP_TLS") or "starttls").lower()
    if tls not in TLS_MODES:
        raise NotConfigured(f"KRAFTKARTAN_SMTP_TLS must be one of {', '.join(TLS_MODES)}, not '{tls}'")
    port = _setting("SMTP_PORT")
    return SmtpSettings(host=host, port=int(port) if port else DEFAULT_PORTS[tls], tls=tls,
                        user=_setting("SMTP_USER"), password=_setting("SMTP_PASSWORD"), mail_from=mail_from,
                        timeout=float(_setting("SMTP_TIMEOUT") or 30))


def is_configured() -> bool:
    try:
        settings()
    except NotConfigured:
        return False
    return True


def compose(cfg: SmtpSettings, *, to_name: str, to_addr: str, subject: str, body: str,
            headers: dict[str, str] | None = None) -> EmailMessage:
    """A plain-text UTF-8 message. Raises DeliveryFailed for an address the email package cannot write."""
    msg = EmailMessage()
    try:
        local, _at, domain = to_addr.rpartition("@")
        # A display name can never carry a line break into the headers.
        msg["To"] = Address(display_name=" ".join(to_name.split()), username=local, domain=domain)
    except (ValueError, IndexError) as exc:
        raise DeliveryFailed(f"invalid recipient address: {exc}") from exc
    msg["From"] = cfg.mail_from
    msg["Subject"] = " ".join(subject.split())
    msg["Date"] = formatdate(localtime=False, usegmt=True)
    msg["Message-ID"] = make_msgid(domain=cfg.envelope_from.rpartition("@")[2] or None)
    for name, value in (headers or {}).items():
        msg[name] = value
    msg.set_content(body, charset="utf-8")
    return msg


class Mailer:
    """One SMTP session for many messages; opened on the first send, closed by the `with` block."""

    def __init__(self, cfg: SmtpSettings) -> None:
        self.cfg = cfg
        self._conn: smtplib.SMTP | None = None

    def __enter__(self) -> Mailer:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.quit()
            except (smtplib.SMTPException, OSError):
                conn.close()

    def _connect(self) -> smtplib.SMTP:
        cfg = self.cfg
        context = ssl.create_default_context()
        try:
            if cfg.tls == "ssl":
                conn: smtplib.SMTP = smtplib.SMTP_SSL(cfg.host, cfg.port, timeout=cfg.timeout,
                                                      context=context)
            else:
                conn = smtplib.SMTP(cfg.host, cfg.port, timeout=cfg.timeout)
            conn.ehlo()
            if cfg.tls == "starttls":
                conn.starttls(context=context)
                conn.ehlo()
            if cfg.user:
                conn.login(cfg.user, cfg.password or "")
        except (smtplib.SMTPException, OSError) as exc:
            raise MailerUnavailable(f"{cfg.host}:{cfg.port}: {_describe(exc)}") from exc
        return conn

    def send(self, msg: EmailMessage) -> None:
        """Hand one message to the server. Returns only once the server has accepted it."""
        if self._conn is None:
            self._conn = self._connect()
        try:
            refused = self._conn.send_message(msg, from_addr=self.cfg.envelope_from)
        except smtplib.SMTPServerDisconnected as exc:
            self._conn = None
            raise DeliveryFailed(f"connection lost while sending, may have been delivered: {exc}") from exc
        except smtplib.SMTPResponseException as exc:
            if exc.smtp_code == 421:  # the server is closing the session: start a new one next time
                self.close()
            else:
                self._reset()
            raise DeliveryFailed(_describe(exc)) from exc
        except smtplib.SMTPRecipientsRefused as exc:
            self._reset()
            raise DeliveryFailed(_describe(exc)) from exc
        except (smtplib.SMTPException, OSError) as exc:
            self.close()
            raise DeliveryFailed(_describe(exc)) from exc
        if refused:  # only possible with several recipients; we always send to one
            raise DeliveryFailed(_describe(smtplib.SMTPRecipientsRefused(refused)))

    def _reset(self) -> None:
        """After a refused message, clear the transaction so the next one starts clean."""
        try:
            if self._conn is not None:
                self._conn.rset()
        except (smtplib.SMTPException, OSError):
            self.close()


def _describe(exc: BaseException) -> str:
    """The server's code and words ("550 5.1.1 No such user"), short enough for the error column."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        parts = [f"{code} {_text(text)}" for code, text in exc.recipients.values()]
        text = "; ".join(parts) or "recipient refused"
    elif isinstance(exc, smtplib.SMTPResponseException):
        text = f"{exc.smtp_code} {_text(exc.smtp_error)}"
    else:
        text = f"{type(exc).__name__}: {exc}"
    return text[:480]


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
