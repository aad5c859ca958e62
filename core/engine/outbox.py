"""The outbox: claiming queued messages for a worker, their state changes, and the views the
Outbox page and the CLI read.

States: ``queued`` -> ``sending`` -> ``sent`` | ``failed`` | ``suppressed``; ``deferred`` is a
queued message moved past the quiet hours. Every change is timestamped (``queued_at``,
``sending_at``, ``sent_at``, ``failed_at``, ``suppressed_at``) and ``sending`` is committed
before the SMTP call.

Claiming is one ``UPDATE ... WHERE id IN (SELECT ... LIMIT n) RETURNING id``: on PostgreSQL the
inner select is ``FOR UPDATE SKIP LOCKED`` so several workers split the work without waiting;
on SQLite the statement takes the write lock, so a second worker waits its turn (busy timeout)
and then sees the rows as ``sending``. A ``sending`` row whose ``sending_at`` is older than the
lease (the worker was killed) is claimed again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import pandas as pd
from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from core.auth import Action, Actor, require
from core.engine.sqlutil import Bind, lock_skip_locked, open_session
from core.models import Customer, Message, Order

LEASE = dt.timedelta(minutes=5)
MAX_ATTEMPTS = 5
BACKOFF_BASE = dt.timedelta(seconds=60)
BACKOFF_MAX = dt.timedelta(hours=2)
STATES = ("queued", "deferred", "sending", "sent", "failed", "suppressed")


def backoff(attempts: int) -> dt.timedelta:
    """Delay before retry number ``attempts`` (1, 2, ...): 1, 2, 4, 8... minutes, capped."""
    delay: dt.timedelta = BACKOFF_BASE * (2 ** max(0, attempts - 1))
    return min(delay, BACKOFF_MAX)


def claim(
    engine: Bind, worker: str, now: dt.datetime, limit: int, lease: dt.timedelta = LEASE
) -> list[int]:
    """Mark up to ``limit`` due messages ``sending`` for ``worker`` and commit; their ids."""
    with open_session(engine) as session, session.begin():
        due = or_(
            and_(Message.state.in_(("queued", "deferred")), Message.due_at <= now),
            and_(Message.state == "sending", Message.sending_at < now - lease),
        )
        inner = (
            select(Message.id)
            .where(due)
            .order_by(Message.priority, Message.due_at, Message.id)
            .limit(limit)
        )
        inner = lock_skip_locked(inner, session)
        stmt = (
            update(Message)
            .where(Message.id.in_(inner.scalar_subquery()))
            .values(state="sending", sending_at=now, claimed_by=worker)
            .returning(Message.id)
        )
        return sorted(
            int(i) for i in session.scalars(stmt, execution_options={"synchronize_session": False})
        )


def _set(session: Session, message_id: int, worker: str | None, **values: Any) -> bool:
    stmt = update(Message).where(Message.id == message_id, Message.state == "sending")
    if worker is not None:
        stmt = stmt.where(Message.claimed_by == worker)
    result = session.execute(
        stmt.values(**values), execution_options={"synchronize_session": False}
    )
    return bool(getattr(result, "rowcount", 1))


def mark_sent(
    session: Session,
    message_id: int,
    worker: str,
    now: dt.datetime,
    transport: str,
    smtp_id: str | None,
    attempts: int,
    headers: dict[str, str] | None = None,
) -> bool:
    return _set(
        session,
        message_id,
        worker,
        state="sent",
        sent_at=now,
        transport=transport,
        smtp_message_id=smtp_id,
        attempts=attempts,
        last_error=None,
        suppression_reason=None,  # a quiet-hours deferral is over once it is sent
        headers=headers or {},
    )


def mark_failed(
    session: Session, message_id: int, worker: str, now: dt.datetime, error: str, attempts: int
) -> bool:
    return _set(
        session,
        message_id,
        worker,
        state="failed",
        failed_at=now,
        last_error=error[:2000],
        suppression_reason=None,
        attempts=attempts,
    )


def mark_retry(
    session: Session, message_id: int, worker: str, now: dt.datetime, error: str, attempts: int
) -> bool:
    """A temporary failure: back to ``queued`` after the backoff, or ``failed`` at the limit."""
    if attempts >= MAX_ATTEMPTS:
        return mark_failed(
            session,
            message_id,
            worker,
            now,
            f"gave up after {attempts} attempts: {error}",
            attempts,
        )
    return _set(
        session,
        message_id,
        worker,
        state="queued",
        due_at=now + backoff(attempts),
        claimed_by=None,
        last_error=error[:2000],
        attempts=attempts,
    )


def mark_suppressed(
    session: Session, message_id: int, worker: str, now: dt.datetime, reason: str
) -> bool:
    return _set(
        session,
        message_id,
        worker,
        state="suppressed",
        suppressed_at=now,
        suppression_reason=reason,
    )


def mark_deferred(
    session: Session, message_id: int, worker: str, until: dt.datetime, reason: str
) -> bool:
    return _set(
        session,
        message_id,
        worker,
        state="deferred",
        due_at=until,
        claimed_by=None,
        suppression_reason=reason,
    )


def release(session: Session, message_ids: Sequence[int], worker: str) -> None:
    """Give claimed messages back (``queued``, due as before) without counting an attempt."""
    if message_ids:
        session.execute(
            update(Message)
            .where(
                Message.id.in_(list(message_ids)),
                Message.state == "sending",
                Message.claimed_by == worker,
            )
            .values(state="queued", claimed_by=None),
            execution_options={"synchronize_session": False},
        )


def retry_failed(
    session: Session, actor: Actor, message_ids: Sequence[int], now: dt.datetime | None = None
) -> int:
    """Queue failed messages again (the Outbox page's "retry"); returns how many."""
    require(actor, Action.MANAGE_OUTBOX)
    now = now or dt.datetime.now(dt.UTC)
    result = session.execute(
        update(Message)
        .where(Message.id.in_(list(message_ids)), Message.state == "failed")
        .values(state="queued", due_at=now, failed_at=None, attempts=0, claimed_by=None),
        execution_options={"synchronize_session": False},
    )
    from core import audit

    count = int(getattr(result, "rowcount", 0) or 0)
    audit.record(session, actor.name, "outbox.retry", None, {"messages": list(message_ids)})
    return count


def messages_frame(
    session: Session,
    *,
    states: Sequence[str] = (),
    reasons: Sequence[str] = (),
    workflow_id: int | None = None,
    search: str = "",
    limit: int = 2000,
) -> pd.DataFrame:
    """The outbox as a table, newest first, filtered by state, reason, workflow and email."""
    stmt = (
        select(
            Message.id,
            Message.state,
            Message.suppression_reason,
            Message.category,
            Message.template_name,
            Message.to_address,
            Message.subject,
            Message.workflow_id,
            Message.step_id,
            Message.variant,
            Message.attempts,
            Message.last_error,
            Message.transport,
            Message.queued_at,
            Message.due_at,
            Message.sent_at,
            Message.failed_at,
            Message.suppressed_at,
            Order.external_id.label("order_ref"),
        )
        .outerjoin(Order, Order.id == Message.order_id)
        .order_by(Message.id.desc())
        .limit(limit)
    )
    if states:
        stmt = stmt.where(Message.state.in_(list(states)))
    if reasons:
        stmt = stmt.where(Message.suppression_reason.in_(list(reasons)))
    if workflow_id is not None:
        stmt = stmt.where(Message.workflow_id == workflow_id)
    if search.strip():
        stmt = stmt.where(Message.to_address.ilike(f"%{search.strip()}%"))
    rows = session.execute(stmt).all()
    return pd.DataFrame([r._asdict() for r in rows], columns=list(stmt.selected_columns.keys()))


def counts(session: Session) -> pd.DataFrame:
    """Messages per state and suppression reason."""
    from sqlalchemy import func

    rows = session.execute(
        select(Message.state, Message.suppression_reason, func.count()).group_by(
            Message.state, Message.suppression_reason
        )
    ).all()
    return pd.DataFrame(
        [{"state": s, "reason": r or "", "messages": n} for s, r, n in rows],
        columns=["state", "reason", "messages"],
    )


def customer_of(session: Session, message_id: int) -> Customer | None:
    m = session.get(Message, message_id)
    return session.get(Customer, m.customer_id) if m and m.customer_id else None
