"""A real SMTP server on loopback for tests (aiosmtpd), with scripted replies.

Use it from any test module or conftest::

    pytest_plugins = ["tests.smtp_server"]          # in a conftest.py, or
    from tests.smtp_server import smtp_server, smtp_server_factory  # noqa: F401

``smtp_server`` is a running :class:`LocalSmtp` that accepts everything; the process
environment points ``ORDERFLOW_SMTP_HOST/PORT/SECURITY`` at it (no login, no TLS).
``smtp_server_factory(replies=[...])`` starts one whose DATA answers follow a script, e.g.
``["451 4.3.0 Try again later", "250 OK"]`` (then 250 for everything after), or ``["550 5.1.1
No such user"] * 10``. ``server.messages`` holds every accepted message, parsed
(``email.message.EmailMessage``), and ``server.envelopes`` the raw envelopes.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any

import pytest
from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class _Handler:
    def __init__(self, server: LocalSmtp) -> None:
        self.server = server

    async def handle_DATA(self, smtp: Any, session: Any, envelope: Any) -> str:
        return self.server.accept(envelope)


class LocalSmtp:
    """An aiosmtpd server on 127.0.0.1 collecting what it accepts."""

    def __init__(self, replies: list[str] | None = None) -> None:
        self.replies = list(replies or [])
        self.envelopes: list[Any] = []
        self.messages: list[EmailMessage] = []
        self.attempts = 0
        self._lock = threading.Lock()
        self.port = free_port()
        self.controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port)

    def accept(self, envelope: Any) -> str:
        with self._lock:
            self.attempts += 1
            reply = self.replies.pop(0) if self.replies else "250 Message accepted for delivery"
            if reply.startswith("250"):
                self.envelopes.append(envelope)
                parsed = BytesParser(policy=policy.default).parsebytes(envelope.original_content)
                self.messages.append(parsed)  # type: ignore[arg-type]
            return reply

    def start(self) -> LocalSmtp:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    def env(self) -> dict[str, str]:
        return {
            "ORDERFLOW_SMTP_HOST": "127.0.0.1",
            "ORDERFLOW_SMTP_PORT": str(self.port),
            "ORDERFLOW_SMTP_SECURITY": "none",
        }


@pytest.fixture
def smtp_server_factory(
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Callable[..., LocalSmtp]]:
    """Start servers with scripted replies; the last one started is the configured SMTP."""
    started: list[LocalSmtp] = []

    def start(replies: list[str] | None = None) -> LocalSmtp:
        server = LocalSmtp(replies).start()
        started.append(server)
        for key, value in server.env().items():
            monkeypatch.setenv(key, value)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def smtp_server(smtp_server_factory: Callable[..., LocalSmtp]) -> LocalSmtp:
    """A local SMTP server accepting every message, configured as Orderflow's SMTP."""
    return smtp_server_factory()
