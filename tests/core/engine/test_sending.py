"""The send loop: while the next email is built, the server answers the one in flight, yet a
message is committed ``sent`` before the next one reaches the transport (so at most one
message can be accepted and not yet recorded); failures of one message do not stop the rest;
a prepared email serialises exactly as the plain one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage

import pytest
from sqlalchemy import Engine, func, insert, select

from core.engine.dispatch import dispatch_due
from core.engine.sending import PreparedEmail, Transport
from core.errors import DeliveryError
from core.messaging.email import POLICY
from core.models import Message
from core.settings import StoreSettings

NOW = dt.datetime(2025, 6, 1, 12, 0, tzinfo=dt.UTC)


def _queue(engine: Engine, addresses: list[str]) -> None:
    rows = [
        {
            "idempotency_key": f"t:{i}",
            "to_address": to,
            "subject": f"Message {i}",
            "html": f"<p>Hello {i}</p>",
            "text": f"Hello {i}",
            "category": "transactional",
            "state": "queued",
            "due_at": NOW,
            "queued_at": NOW,
            "headers": {},
            "priority": 100,
        }
        for i, to in enumerate(addresses)
    ]
    with engine.begin() as conn:
        conn.execute(insert(Message), rows)


class Recorder:
    """A transport that checks, on every send, that no other message is accepted and not
    yet committed ``sent``; it refuses addresses starting with ``refuse``."""

    name = "smtp"

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.accepted: list[str] = []

    def send(self, message: EmailMessage) -> str:
        with self.engine.connect() as conn:
            sent = conn.execute(select(func.count()).where(Message.state == "sent")).scalar_one()
        assert sent == len(self.accepted), "the previous message was not committed first"
        to = str(message["To"])
        if to.startswith("refuse"):
            raise DeliveryError("550 no such user", permanent=True, code=550)
        self.accepted.append(to)
        return str(message["Message-ID"])


def _factory(recorder: Recorder):  # type: ignore[no-untyped-def]
    @contextmanager
    def transports(settings: StoreSettings, mailbox: bool) -> Iterator[Transport]:
        yield recorder

    return transports


def test_each_message_is_committed_before_the_next_is_sent(engine: Engine) -> None:
    addresses = [f"r{i}@example.com" for i in range(12)]
    addresses[4] = "refuse@example.com"
    addresses[7] = "not an address"
    _queue(engine, addresses)
    recorder = Recorder(engine)
    stats = dispatch_due(engine, NOW, _factory(recorder), "w", batch=5)
    assert recorder.accepted == [a for a in addresses if "@example.com" in a and "refuse" not in a]
    assert (stats.sent, stats.failed) == (10, 2)
    with engine.connect() as conn:
        states = dict(conn.execute(select(Message.to_address, Message.state)).all())
    assert states["refuse@example.com"] == states["not an address"] == "failed"
    assert sum(1 for s in states.values() if s == "sent") == 10


@pytest.mark.parametrize("marketing", [False, True])
def test_a_prepared_email_serialises_as_the_plain_one(marketing: bool) -> None:
    def email() -> EmailMessage:
        msg = EmailMessage(policy=POLICY)
        msg["Subject"] = "Grüße"
        msg["To"] = "anna@example.org"
        msg["Message-ID"] = "<m.1@shop.example>"
        if marketing:
            msg["List-Unsubscribe"] = "<https://shop.example/u/x>"
        msg.set_content("Hallo Anna\n" * 3)
        msg.add_alternative("<p>Hallo Anna</p>", subtype="html")
        msg.set_boundary("fixed-boundary")
        return msg

    smtp = POLICY.clone(linesep="\r\n")
    plain = email().as_bytes(policy=smtp)
    prepared = PreparedEmail.prepare(email())
    assert prepared.as_bytes(policy=prepared.policy.clone(linesep="\r\n")) == plain
    assert prepared.as_bytes() == email().as_bytes()  # another policy: written again
    assert prepared["To"] == "anna@example.org"
