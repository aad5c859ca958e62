"""Dispatch: hand claimed messages to the mail server, once each.

A batch is claimed (committed as ``sending``); a message that waited in the outbox is checked
again against its workflow's exit conditions and "still true?" filter (:mod:`core.engine.recheck`:
an order cancelled or refunded meanwhile suppresses it as ``exit_condition``); then marketing
messages pass the policy:
no address (``no_email``), unsubscribed, no consent (``no_consent``), the customer's preferences
(``opted_out_<purpose>`` for a purpose turned off in the preference centre, ``email_frequency``
when the chosen frequency allows no more yet: :mod:`core.preferences`), quiet hours in the
customer's time zone (deferred to the end of the quiet hours, not dropped) and the frequency
cap (at most ``frequency_cap_count`` marketing messages per customer per
``frequency_cap_days`` across all workflows; 0 disables it), taken in workflow priority order
so a higher-priority workflow's message wins). Transactional messages go at once. The batch is
sent over ONE connection per transport (SMTP, or the mailbox for demo customers); each result is
committed right after its SMTP reply, before the next message is handed to the server (the
next email is built while the server answers: :mod:`core.engine.sending`). Temporary failures (4xx, connection errors) are retried
with exponential backoff; permanent ones (5xx) are marked ``failed`` with the server's reply, and the customer's address
``bounced``: later messages to it are suppressed with that reason.

Duplicate window: a message is committed ``sending`` before the SMTP call and ``sent`` right
after the server accepted it. A worker killed between the server's "250 OK" for a message and
the commit of its ``sent`` state leaves it ``sending``; after the lease (5 minutes by default) a
worker claims and sends it again. So at most ONE message per killed worker (the one in flight)
can arrive twice, and it carries the same Message-ID both times, so a receiving mail system can
recognise the duplicate. Two workers never send the same message otherwise: claims are exclusive,
and a worker stops sending a batch once 80% of its lease has passed, giving the rest back, so the
claims of a live worker do not expire under it (the lease must stay well above the 30 s SMTP
timeout of the one call that may be in progress then).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from contextlib import AbstractContextManager

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core import preferences
from core import settings as store_settings
from core.engine import outbox, recheck
from core.engine.sending import (
    LEASE_SHARE,
    DispatchStats,
    Item,
    Transport,
    TransportFactory,
    build,
    message_id_header,
    send_group,
)
from core.engine.sqlutil import Bind, held_session
from core.models import Customer, Message, MessageTemplate
from core.settings import StoreSettings
from core.timeutil import zone

__all__ = [
    "BATCH",
    "LEASE_SHARE",
    "DispatchStats",
    "Transport",
    "TransportFactory",
    "build",
    "default_transports",
    "dispatch_batch",
    "dispatch_due",
    "message_id_header",
    "quiet_until",
    "smtp_to",
]
log = logging.getLogger(__name__)
BATCH = 100


def default_transports(
    settings: StoreSettings, force_mailbox: bool
) -> AbstractContextManager[Transport]:
    """The messaging transport: SMTP as configured, the mailbox otherwise or when forced."""
    from core.messaging.transport import open_transport

    return open_transport(settings, force_mailbox=force_mailbox)


def quiet_until(now: dt.datetime, tz_name: str, start: str, end: str) -> dt.datetime | None:
    """The end of the quiet hours when ``now`` falls inside them (local time), else None."""
    if start == end:
        return None
    tz = zone(tz_name)
    local = now.astimezone(tz)
    s = dt.time.fromisoformat(start)
    e = dt.time.fromisoformat(end)
    t = local.time()
    inside = s <= t < e if s < e else (t >= s or t < e)
    if not inside:
        return None
    day = local.date() if t < e else local.date() + dt.timedelta(days=1)
    return dt.datetime.combine(day, e, tzinfo=tz).astimezone(dt.UTC)


def _recent_marketing(
    session: Session, customer_ids: set[int], since: dt.datetime
) -> dict[int, int]:
    if not customer_ids:
        return {}
    rows = session.execute(
        select(Message.customer_id, func.count())
        .where(
            Message.customer_id.in_(customer_ids),
            Message.category == "marketing",
            Message.state == "sent",
            Message.sent_at >= since,
        )
        .group_by(Message.customer_id)
    )
    return {int(c): int(n) for c, n in rows if c is not None}


def _purposes(session: Session, items: list[Item]) -> dict[str, str | None]:
    names = {i.message.template_name for i in items if i.message.category == "marketing"}
    if not names:
        return {}
    rows = session.execute(
        select(MessageTemplate.name, MessageTemplate.category, MessageTemplate.purpose).where(
            MessageTemplate.name.in_([n for n in names if n])
        )
    )
    found = {name: preferences.purpose_of(cat, purpose) for name, cat, purpose in rows}
    return {str(n): found.get(str(n), preferences.DEFAULT_PURPOSE) for n in names}


def _last_marketing(session: Session, items: list[Item]) -> dict[int, dt.datetime]:
    """When each customer with a chosen email frequency last got a marketing email."""
    ids = {
        i.customer.id
        for i in items
        if i.customer and (i.customer.email_frequency or "normal") != "normal"
    }
    if not ids:
        return {}
    rows = session.execute(
        select(Message.customer_id, func.max(Message.sent_at))
        .where(
            Message.customer_id.in_(ids),
            Message.category == "marketing",
            Message.state == "sent",
        )
        .group_by(Message.customer_id)
    )
    return {int(c): at for c, at in rows if c is not None and at is not None}


def _policy(
    session: Session,
    items: list[Item],
    st: StoreSettings,
    now: dt.datetime,
    worker: str,
    stats: DispatchStats,
) -> list[Item]:
    """Suppress or defer what may not go now; the rest, in priority order, to send."""
    marketing = {i.customer.id for i in items if i.customer and i.message.category == "marketing"}
    recent = _recent_marketing(session, marketing, now - dt.timedelta(days=st.frequency_cap_days))
    purposes = _purposes(session, items)
    last = _last_marketing(session, items)
    stops = recheck.stopped(session, (i.message for i in items), now)
    to_send: list[Item] = []
    for item in sorted(items, key=lambda i: (i.message.priority, i.message.due_at, i.message.id)):
        m, c = item.message, item.customer
        reason: str | None = None if m.to_address else "no_email"
        if reason is None and m.id in stops:
            reason = "exit_condition"
            recheck.log_stop(session, m, stops[m.id], now)
        if reason is None and c is not None and c.bounced_at is not None:
            reason = "bounced"
        if reason is None and c is not None and m.category == "marketing":
            if c.unsubscribed_at is not None:
                reason = "unsubscribed"
            elif not c.marketing_consent:
                reason = "no_consent"
            else:
                purpose = purposes.get(m.template_name or "", preferences.DEFAULT_PURPOSE)
                reason = preferences.suppression(c, purpose, last.get(c.id), now)
            if reason is None:
                until = quiet_until(
                    now, c.time_zone or st.timezone, st.quiet_hours_start, st.quiet_hours_end
                )
                if until is not None:
                    outbox.mark_deferred(session, m.id, worker, until, "quiet_hours")
                    stats.deferred += 1
                    continue
                if st.frequency_cap_count and recent.get(c.id, 0) >= st.frequency_cap_count:
                    reason = "frequency_cap"
                else:
                    recent[c.id] = recent.get(c.id, 0) + 1
                    last[c.id] = now
        if reason:
            outbox.mark_suppressed(session, m.id, worker, now, reason)
            stats.suppressed[reason] = stats.suppressed.get(reason, 0) + 1
        else:
            to_send.append(item)
    session.commit()
    return to_send


def dispatch_batch(
    engine: Bind,
    now: dt.datetime,
    transports: TransportFactory,
    worker: str,
    batch: int = BATCH,
    lease: dt.timedelta = outbox.LEASE,
    clock: Callable[[], dt.datetime] | None = None,
    send: bool = True,
) -> DispatchStats:
    """Claim a batch, apply the policy and send what may go. Without ``send`` (a rehearsal, in a
    transaction rolled back afterwards) no transport is opened: what would go stays ``sending``
    under this worker's claim."""
    stats = DispatchStats()
    ids = outbox.claim(engine, worker, now, batch, lease)
    stats.claimed = len(ids)
    if not ids:
        return stats
    with held_session(engine, expire_on_commit=False) as session:
        st = store_settings.load(session)
        messages = list(session.scalars(select(Message).where(Message.id.in_(ids))))
        customer_ids = {m.customer_id for m in messages if m.customer_id}
        customers = {
            c.id: c for c in session.scalars(select(Customer).where(Customer.id.in_(customer_ids)))
        }
        items = [Item(m, customers.get(m.customer_id or -1)) for m in messages]
        ready = _policy(session, items, st, now, worker, stats)
        if not send:
            return stats
        for mailbox in (False, True):
            group = [
                i
                for i in ready
                if (i.message.is_demo or bool(i.customer and i.customer.is_demo)) == mailbox
            ]
            if group:
                send_group(
                    session,
                    group,
                    transports,
                    mailbox,
                    st,
                    worker,
                    clock or (lambda: now),
                    stats,
                    lease,
                )
    return stats


def dispatch_due(
    engine: Bind,
    now: dt.datetime,
    transports: TransportFactory | None = None,
    worker: str = "worker",
    batch: int = BATCH,
    lease: dt.timedelta = outbox.LEASE,
    max_batches: int = 10_000,
    send: bool = True,
) -> DispatchStats:
    """Send everything due, batch after batch; returns the totals (``send``: see
    :func:`dispatch_batch`)."""
    total = DispatchStats()
    for _ in range(max_batches):
        stats = dispatch_batch(
            engine, now, transports or default_transports, worker, batch, lease, send=send
        )
        total.add(stats)
        if stats.claimed < batch:
            break
    return total


def smtp_to(host: str, port: int) -> TransportFactory:
    """Transports for a plain SMTP server at ``host:port`` (no login, no TLS), the mailbox for
    demo customers: what tests and benchmarks pass as ``smtp``."""
    from core.messaging.transport import MailboxTransport, SmtpConfig, SmtpTransport

    config = SmtpConfig(host, port, None, None, "none", None)

    def factory(settings: StoreSettings, force_mailbox: bool) -> AbstractContextManager[Transport]:
        if force_mailbox:
            return MailboxTransport()
        return SmtpTransport(config, settings)

    return factory
