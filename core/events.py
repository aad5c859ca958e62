"""The normalized order event log.

Every source (imports, the demo, the ``event`` command, live ingest, delivery self-service,
coupons) records events through :func:`core.orderstate.apply_event`, which also moves the order's
state; the bulk paths (imports, demo) write the same rows and state in one go. The workflow engine
enrols from this log (events at or after a workflow's activation).

This module decides the event key, :data:`KEY` = (order, type, ref): one event per key, a
repeated write keeps the first. ``ref`` is "" for the events that happen once per order
(:data:`ONCE`); repeatable events (:data:`REPEATABLE`: a shipment's steps, a refund) carry their
own reference (shipment, refund or change id) so a second shipment or refund is kept.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import insert
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from core.errors import ValidationError
from core.models import EVENT_TYPES, OrderEvent
from core.models.orders import DELIVERY_CHANGE_EVENTS

BATCH = 5_000
KEY = ("order_id", "type", "ref")
SHIPMENT_EVENTS = ("shipped", "out_for_delivery", "delivered", "ready_for_pickup", "picked_up")
REPEATABLE = (*SHIPMENT_EVENTS, "refunded", "delivery_failed", *DELIVERY_CHANGE_EVENTS)
ONCE = tuple(t for t in EVENT_TYPES if t not in REPEATABLE)


def check_type(event_type: str) -> str:
    if event_type not in EVENT_TYPES:
        raise ValidationError(
            f"Unknown event type {event_type!r}.",
            field="type",
            hint=f"Use one of: {', '.join(EVENT_TYPES)}.",
        )
    return event_type


def check_ref(event_type: str, ref: str) -> str:
    """``ref`` cleaned: at most 64 characters, and "" for an event that happens once."""
    ref = (ref or "").strip()
    if ref and event_type not in REPEATABLE:
        raise ValidationError(
            f"A {event_type!r} event happens once per order and takes no reference.",
            field="ref",
            hint=f"Only {', '.join(REPEATABLE)} events carry a shipment or refund reference.",
        )
    if len(ref) > 64:
        raise ValidationError("The event reference is longer than 64 characters.", field="ref")
    return ref


def insert_ignoring_duplicates(session: Session) -> Any:
    """``INSERT INTO order_events ... ON CONFLICT (KEY) DO NOTHING`` for this session's database."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return pg_insert(OrderEvent).on_conflict_do_nothing(index_elements=list(KEY))
    if dialect == "sqlite":
        return sqlite_insert(OrderEvent).on_conflict_do_nothing(index_elements=list(KEY))
    return insert(OrderEvent)  # pragma: no cover - only SQLite and PostgreSQL are supported


def event_row(
    order_id: int,
    customer_id: int,
    event_type: str,
    occurred_at: dt.datetime,
    source: str,
    payload: Mapping[str, Any] | None = None,
    recorded_at: dt.datetime | None = None,
    ref: str = "",
) -> dict[str, Any]:
    return {
        "order_id": order_id,
        "customer_id": customer_id,
        "type": check_type(event_type),
        "ref": check_ref(event_type, ref),
        "occurred_at": occurred_at,
        "recorded_at": recorded_at or dt.datetime.now(dt.UTC),
        "source": source,
        "payload": dict(payload or {}),
    }


def _insert_ignoring_duplicates(session: Session, rows: Sequence[Mapping[str, Any]]) -> None:
    session.execute(insert_ignoring_duplicates(session), list(rows))


def record(session: Session, rows: Iterable[Mapping[str, Any]]) -> None:
    """Write events that do not change an order's state (see :func:`event_row`), such as
    ``review_submitted``; an event already logged under the same key is kept as it was. Events
    that move an order go through :func:`core.orderstate.apply_event`."""
    batch: list[Mapping[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH:
            _insert_ignoring_duplicates(session, batch)
            batch = []
    if batch:
        _insert_ignoring_duplicates(session, batch)
