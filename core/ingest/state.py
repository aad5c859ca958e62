"""The one place live ingest changes an order's state and logs its event.

It sets the lifecycle field (paid, shipped, delivered, cancelled, refunded), the status, and
writes the ``order_events`` row (one per order, type and reference) in the caller's transaction.
When the shared order-state function (``core/orderstate.py``) is on main, this delegates to it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from core import events
from core.models import Order

_RANK = {"open": 0, "paid": 1, "fulfilled": 2, "delivered": 3}


def _advance(order: Order, status: str) -> None:
    if order.status in ("cancelled", "refunded"):
        return
    if _RANK.get(status, 0) > _RANK.get(order.status, 0):
        order.status = status


def apply_event(
    session: Session,
    order: Order,
    event_type: str,
    occurred_at: dt.datetime,
    *,
    source: str,
    ref: str = "",
    payload: dict[str, Any] | None = None,
) -> None:
    """Apply ``event_type`` to ``order`` (already flushed) and log it."""
    if event_type == "paid":
        order.paid_at = order.paid_at or occurred_at
        _advance(order, "paid")
    elif event_type == "shipped":
        _advance(order, "fulfilled")
    elif event_type in ("delivered", "picked_up"):
        _advance(order, "delivered")
    elif event_type == "cancelled":
        order.cancelled_at = order.cancelled_at or occurred_at
        order.status = "cancelled"
    elif event_type == "refunded":
        order.refunded_at = order.refunded_at or occurred_at
        if order.refunded_amount >= order.total:
            order.status = "refunded"
    body = dict(payload or {})
    if ref:
        body.setdefault("ref", ref)
    events.record(
        session,
        [events.event_row(order.id, order.customer_id, event_type, occurred_at, source, body)],
    )
