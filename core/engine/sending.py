"""Sending claimed messages over one connection, the next one built while the server answers.

:func:`send_group` sends a group of messages (already ``sending``, committed) through one
transport. The SMTP conversation runs on a helper thread, one message at a time: while the
server handles message *k*, this thread builds the email of message *k + 1*; then it waits
for *k*'s reply, commits *k*'s ``sent`` (or its failure), and only then hands *k + 1* over.
The email is also serialised here (:class:`PreparedEmail`), so the helper thread only talks.
Sends never overlap and a message is committed ``sent`` before the next one starts: at any
moment at most ONE message is between the server's acceptance and its commit, exactly as
without the thread (see the duplicate window in :mod:`core.engine.dispatch`).
"""

from __future__ import annotations

import datetime as dt
import smtplib
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from email.message import EmailMessage
from html import escape
from typing import Any, Protocol, cast

from sqlalchemy import BindParameter, Table, Update, bindparam, update
from sqlalchemy.orm import Session

from core.engine import outbox
from core.errors import DeliveryError, ValidationError
from core.messaging.wire import wire_bytes
from core.models import Customer, Message
from core.settings import StoreSettings

LEASE_SHARE = 0.8  # a worker stops sending a batch when 80% of its lease has passed
SEND_ERRORS = (DeliveryError, OSError, smtplib.SMTPException)


class Transport(Protocol):
    name: str

    def send(self, message: EmailMessage) -> str: ...


TransportFactory = Callable[[StoreSettings, bool], AbstractContextManager[Transport]]


@dataclass
class DispatchStats:
    claimed: int = 0
    sent: int = 0
    failed: int = 0
    retried: int = 0
    deferred: int = 0
    suppressed: dict[str, int] = field(default_factory=dict)

    def add(self, other: DispatchStats) -> None:
        self.claimed += other.claimed
        self.sent += other.sent
        self.failed += other.failed
        self.retried += other.retried
        self.deferred += other.deferred
        for k, v in other.suppressed.items():
            self.suppressed[k] = self.suppressed.get(k, 0) + v


@dataclass
class Item:
    message: Message
    customer: Customer | None


def message_id_header(m: Message, st: StoreSettings) -> str:
    domain = st.sender_email.rsplit("@", 1)[-1] or "orderflow.local"
    return f"<orderflow.{m.id}.{m.idempotency_key.replace(':', '-')}@{domain}>"


def build(m: Message, st: StoreSettings) -> EmailMessage:
    """The email for a stored message, built by the messaging package."""
    from core.messaging.email import build_email
    from core.messaging.render import RenderedMessage
    from core.messaging.unsubscribe import unsubscribe_url

    html = m.html or f"<pre>{escape(m.text or '')}</pre>"
    rendered = RenderedMessage(
        subject=m.subject or "",
        preheader="",
        html=html,
        text=m.text or "",
        locale=m.locale or st.default_locale,
        template_name=m.template_name,
        category=m.category,
    )
    marketing = m.category == "marketing"
    url = unsubscribe_url(st, m.id, m.customer_id) if marketing and m.customer_id else None
    return build_email(
        rendered,
        to=m.to_address or "",
        settings=st,
        marketing=marketing,
        unsubscribe_url=url,
        message_id=message_id_header(m, st),
    )


class PreparedEmail(EmailMessage):
    """An email serialised for SMTP ahead of the call: :meth:`prepare` writes the wire bytes
    once (on the worker's thread, while the server answers the message before), and
    ``as_bytes`` with the same policy returns them instead of writing the message again."""

    _wire: bytes | None = None
    _wire_policy: dict[str, Any] | None = None

    @classmethod
    def prepare(cls, email: EmailMessage) -> PreparedEmail:
        prepared = cast(PreparedEmail, email)
        prepared.__class__ = cls
        policy = email.policy.clone(linesep="\r\n")
        prepared._wire = wire_bytes(email, policy)
        prepared._wire_policy = vars(policy)
        return prepared

    def as_bytes(self, unixfrom: bool = False, policy: Any = None) -> bytes:
        same = policy is not None and vars(policy) == self._wire_policy
        if self._wire is not None and same and not unixfrom:
            return self._wire
        return super().as_bytes(unixfrom, policy)


def _temporary(exc: Exception) -> bool:
    if isinstance(exc, DeliveryError):
        return not exc.permanent
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500
    return isinstance(exc, OSError | smtplib.SMTPException)


def record_failure(
    session: Session,
    m: Message,
    worker: str,
    now: dt.datetime,
    exc: Exception,
    stats: DispatchStats,
) -> None:
    attempts = m.attempts + 1
    if _temporary(exc):
        outbox.mark_retry(session, m.id, worker, now, str(exc), attempts)
        if attempts >= outbox.MAX_ATTEMPTS:
            stats.failed += 1
        else:
            stats.retried += 1
    else:
        outbox.mark_failed(session, m.id, worker, now, str(exc), attempts)
        stats.failed += 1
        if _bounced(exc) and m.customer_id is not None:
            session.execute(
                update(Customer)
                .where(Customer.id == m.customer_id, Customer.bounced_at.is_(None))
                .values(bounced_at=now)
            )
    session.commit()


def _bounced(exc: Exception) -> bool:
    """A permanent (5xx) refusal: the address is marked undeliverable, never mailed again."""
    if isinstance(exc, DeliveryError):
        return exc.code is not None and 500 <= exc.code < 600
    return isinstance(exc, smtplib.SMTPResponseException) and 500 <= exc.smtp_code < 600


def _sent_statement() -> Update:
    """``outbox.mark_sent`` as one prepared Core statement (no ORM work per message)."""
    table = cast(Table, Message.__table__)
    c = table.c

    def param(name: str) -> BindParameter[Any]:
        return bindparam(f"p_{name}", type_=c[name].type)

    return (
        update(table)
        .where(c.id == param("id"), c.state == "sending", c.claimed_by == param("claimed_by"))
        .values(
            state="sent",
            sent_at=param("sent_at"),
            transport=param("transport"),
            smtp_message_id=param("smtp_message_id"),
            attempts=param("attempts"),
            last_error=None,
            suppression_reason=None,  # a quiet-hours deferral is over once it is sent
            headers=param("headers"),
        )
    )


_SENT = _sent_statement()


@dataclass
class _Group:
    """One group's shared state while it is sent."""

    session: Session
    st: StoreSettings
    worker: str
    clock: Callable[[], dt.datetime]
    stats: DispatchStats
    transport_name: str = ""

    def mark_sent(self, m: Message, smtp_id: str, headers: dict[str, str]) -> None:
        """Record ``sent`` (as ``outbox.mark_sent``) and commit."""
        values = {
            "id": m.id,
            "claimed_by": self.worker,
            "sent_at": self.clock(),
            "transport": self.transport_name,
            "smtp_message_id": smtp_id,
            "attempts": m.attempts + 1,
            "headers": headers,
        }
        self.session.connection().execute(_SENT, {f"p_{k}": v for k, v in values.items()})
        self.session.commit()
        self.stats.sent += 1

    def settle(self, flight: tuple[Message, EmailMessage, Future[str]] | None) -> None:
        """Wait for the server's answer on the message in flight and record it."""
        if flight is None:
            return
        m, email, reply = flight
        try:
            smtp_id = reply.result()
        except SEND_ERRORS as exc:
            record_failure(self.session, m, self.worker, self.clock(), exc, self.stats)
            return
        headers = {k: str(v) for k, v in email.items() if k != "Content-Type"}
        self.mark_sent(m, smtp_id or message_id_header(m, self.st), headers)


def send_group(
    session: Session,
    items: list[Item],
    transports: TransportFactory,
    mailbox: bool,
    st: StoreSettings,
    worker: str,
    clock: Callable[[], dt.datetime],
    stats: DispatchStats,
    lease: dt.timedelta = outbox.LEASE,
) -> None:
    """Send ``items`` over one connection (see the module docstring); a worker stops when
    80% of its lease has passed and gives the rest back."""
    deadline = time.monotonic() + lease.total_seconds() * LEASE_SHARE
    group = _Group(session, st, worker, clock, stats)
    try:
        with transports(st, mailbox) as transport, ThreadPoolExecutor(1) as line:
            group.transport_name = transport.name
            flight: tuple[Message, EmailMessage, Future[str]] | None = None
            try:
                for position, item in enumerate(items):
                    m = item.message
                    if time.monotonic() > deadline:  # never hold a claim past the lease
                        group.settle(flight)
                        flight = None
                        outbox.release(session, [i.message.id for i in items[position:]], worker)
                        session.commit()
                        return
                    try:  # while the server answers the one in flight
                        email = PreparedEmail.prepare(build(m, st))
                    except ValidationError as exc:
                        record_failure(session, m, worker, clock(), exc, stats)
                        continue
                    group.settle(flight)
                    flight = (m, email, line.submit(transport.send, email))
            finally:
                group.settle(flight)
    except SEND_ERRORS as exc:
        for item in items:  # the connection failed: whatever is still sending goes back
            current = session.get(Message, item.message.id, populate_existing=True)
            if current is not None and current.state == "sending":
                record_failure(session, item.message, worker, clock(), exc, stats)
