"""Hand messages to a mail server (SMTP through yagmail) or to the local mailbox.

Configuration, from the environment or the same keys in `.streamlit/secrets.toml`
(``core.config.get_secret``): ``ORDERFLOW_SMTP_HOST``, ``ORDERFLOW_SMTP_PORT``,
``ORDERFLOW_SMTP_USER``, ``ORDERFLOW_SMTP_PASSWORD``, ``ORDERFLOW_SMTP_SECURITY`` (``none``,
``starttls`` or ``ssl``; default ``starttls``), ``ORDERFLOW_SMTP_FROM`` (envelope sender; the
``From`` header comes from the store settings). Without a user, login is skipped
(``smtp_skip_login``); a user without a password is a ConfigError: never a keyring lookup or a
password prompt.

API used by the engine: ``open_transport(settings, *, force_mailbox=False) -> Transport``, a
context manager with ``.name`` (``smtp`` | ``mailbox``) and ``send(msg) -> Message-ID``. The SMTP
transport logs in once and sends a whole batch on one connection (reconnecting once if the
server dropped it); failures raise ``DeliveryError``: ``permanent=True`` with the server's reply
for 5xx answers, ``permanent=False`` for 4xx answers and connection errors (retry later).

The mailbox transport (used when no SMTP host is configured, and always for demo customers:
``open_transport(settings, force_mailbox=customer.is_demo)``) delivers nothing over the network:
the caller stores the message on its ``Message`` row with ``transport="mailbox"``, which is what
the Mailbox page shows.
"""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import parseaddr
from types import TracebackType
from typing import Protocol

import yagmail

from core.config import get_secret
from core.errors import ConfigError, DeliveryError
from core.settings import StoreSettings

SECURITY_MODES = ("none", "starttls", "ssl")
DEFAULT_PORTS = {"none": 25, "starttls": 587, "ssl": 465}
TIMEOUT_SECONDS = 30


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    user: str | None
    password: str | None
    security: str
    sender: str | None

    def describe(self) -> str:
        who = f"{self.user}@" if self.user else ""
        return f"{who}{self.host}:{self.port} ({self.security})"


def smtp_config() -> SmtpConfig | None:
    """The configured SMTP server, or None (messages then go to the local mailbox)."""
    host = (get_secret("ORDERFLOW_SMTP_HOST") or "").strip()
    if not host:
        return None
    security = (get_secret("ORDERFLOW_SMTP_SECURITY") or "starttls").strip().lower()
    if security not in SECURITY_MODES:
        raise ConfigError(
            f"Unknown SMTP security {security!r}.",
            field="ORDERFLOW_SMTP_SECURITY",
            hint="Use none, starttls or ssl.",
        )
    raw_port = (get_secret("ORDERFLOW_SMTP_PORT") or "").strip()
    try:
        port = int(raw_port) if raw_port else DEFAULT_PORTS[security]
    except ValueError:
        raise ConfigError(
            f"{raw_port!r} is not a port number.", field="ORDERFLOW_SMTP_PORT"
        ) from None
    user = (get_secret("ORDERFLOW_SMTP_USER") or "").strip() or None
    password = get_secret("ORDERFLOW_SMTP_PASSWORD")
    if user and not password:
        raise ConfigError(
            "ORDERFLOW_SMTP_USER is set but ORDERFLOW_SMTP_PASSWORD is not.",
            field="ORDERFLOW_SMTP_PASSWORD",
            hint="Set the password in the environment or .streamlit/secrets.toml.",
        )
    sender = (get_secret("ORDERFLOW_SMTP_FROM") or "").strip() or None
    return SmtpConfig(host, port, user, password, security, sender)


class Transport(Protocol):
    name: str

    def __enter__(self) -> Transport: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def send(self, msg: EmailMessage) -> str: ...


def _message_id(msg: EmailMessage) -> str:
    return str(msg["Message-ID"] or "")


def _recipients(msg: EmailMessage) -> list[str]:
    return [parseaddr(str(v))[1] for v in msg.get_all("To", [])]


class MailboxTransport:
    """Delivers to the local mailbox: the caller keeps the message on its Message row."""

    name = "mailbox"

    def __init__(self) -> None:
        self.sent: list[str] = []

    def __enter__(self) -> MailboxTransport:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def send(self, msg: EmailMessage) -> str:
        if not _recipients(msg):
            raise DeliveryError("The message has no recipient.", permanent=True)
        message_id = _message_id(msg)
        self.sent.append(message_id)
        return message_id


def classify(exc: BaseException) -> DeliveryError:
    """A DeliveryError for an smtplib/socket failure: 5xx permanent, the rest temporary."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, reply = next(iter(exc.recipients.values()))
        return _from_reply(int(code), reply)
    if isinstance(exc, smtplib.SMTPResponseException):
        return _from_reply(int(exc.smtp_code), exc.smtp_error)
    return DeliveryError(f"Could not reach the mail server: {exc}", permanent=False)


def _from_reply(code: int, reply: bytes | str) -> DeliveryError:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    return DeliveryError(f"{code} {text}".strip(), permanent=500 <= code < 600, code=code)


class SmtpTransport:
    """One SMTP connection (through yagmail) for a batch of messages."""

    name = "smtp"

    def __init__(self, config: SmtpConfig, settings: StoreSettings | None = None) -> None:
        self.config = config
        self.envelope_from = config.sender or (settings.sender_email if settings else None)
        self._client: yagmail.SMTP | None = None

    def _connect(self) -> yagmail.SMTP:
        cfg = self.config
        client = yagmail.SMTP(
            user=cfg.user,
            password=cfg.password,
            host=cfg.host,
            port=cfg.port,
            smtp_ssl=cfg.security == "ssl",
            smtp_starttls=cfg.security == "starttls",
            smtp_skip_login=cfg.user is None,
            soft_email_validation=False,
            timeout=TIMEOUT_SECONDS,
        )
        try:
            client.login()
        except (smtplib.SMTPException, OSError) as exc:
            raise classify(exc) from exc
        return client

    def __enter__(self) -> SmtpTransport:
        self._client = self._connect()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        client, self._client = self._client, None
        if client is not None and client.smtp is not None:
            try:
                client.smtp.quit()
            except (smtplib.SMTPException, OSError):
                client.smtp.close()
            client.is_closed = True

    def send(self, msg: EmailMessage) -> str:
        recipients = _recipients(msg)
        if not recipients:
            raise DeliveryError("The message has no recipient.", permanent=True)
        for attempt in (1, 2):
            if self._client is None:
                self._client = self._connect()
            try:
                sender = self.envelope_from or parseaddr(str(msg["From"] or ""))[1]
                self._client.smtp.sendmail(
                    sender, recipients, msg.as_bytes(policy=msg.policy.clone(linesep="\r\n"))
                )
                return _message_id(msg)
            except smtplib.SMTPServerDisconnected as exc:
                self._client = None
                if attempt == 2:
                    raise classify(exc) from exc
            except (TimeoutError, smtplib.SMTPException, OSError) as exc:
                answered = isinstance(
                    exc, smtplib.SMTPResponseException | smtplib.SMTPRecipientsRefused
                )
                if answered:
                    self._reset()
                else:
                    self.close()
                raise classify(exc) from exc
        raise DeliveryError("The mail server closed the connection.", permanent=False)

    def _reset(self) -> None:
        """After an answered failure the session stays usable: RSET for the next message."""
        try:
            if self._client is not None:
                self._client.smtp.rset()
        except (smtplib.SMTPException, OSError):
            self.close()


def open_transport(
    settings: StoreSettings | None = None, *, force_mailbox: bool = False
) -> Transport:
    """SMTP when configured (and not forced to the mailbox), else the local mailbox. The
    envelope sender is ``ORDERFLOW_SMTP_FROM``, else the settings' sender, else the ``From``."""
    config = None if force_mailbox else smtp_config()
    if config is None:
        return MailboxTransport()
    return SmtpTransport(config, settings)
