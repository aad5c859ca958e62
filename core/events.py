"""The normalized order event log.

Imports, the demo, the ``event`` command and live ingest all write events here; the workflow
engine enrols from this log (events at or after a workflow's activation). Writing is idempotent:
one event of a type per order, a repeated write keeps the first.
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

BATCH = 5_000


def check_type(event_type: str) -> str:
    if event_type not in EVENT_TYPES:
        raise ValidationError(
            f"Unknown event type {event_type!r}.",
            field="type",
            hint=f"Use one of: {', '.join(EVENT_TYPES)}.",
        )
    return event_type


def event_row(
    order_id: int,
    customer_id: int,
    event_type: str,
    occurred_at: dt.datetime,
    source: str,
    payload: Mapping[str, Any] | None = None,
    recorded_at: dt.datetime | None = None,
) -> dict[str, Any]:
    return {
        "order_id": order_id,
        "customer_id": customer_id,
        "type": check_type(event_type),
        "occurred_at": occurred_at,
        "recorded_at": recorded_at or dt.datetime.now(dt.UTC),
        "source": source,
        "payload": dict(payload or {}),
    }


def _insert_ignoring_duplicates(session: Session, rows: Sequence[Mapping[str, Any]]) -> None:
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        stmt: Any = pg_insert(OrderEvent).on_conflict_do_nothing(
            index_elements=["order_id", "type"]
        )
    elif dialect == "sqlite":
        stmt = sqlite_insert(OrderEvent).on_conflict_do_nothing(index_elements=["order_id", "type"])
    else:  # pragma: no cover - only SQLite and PostgreSQL are supported
        stmt = insert(OrderEvent)
    session.execute(stmt, list(rows))


def record(session: Session, rows: Iterable[Mapping[str, Any]]) -> None:
    """Write events (see :func:`event_row`); an event already logged for that order and type
    is kept as it was."""
    batch: list[Mapping[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH:
            _insert_ignoring_duplicates(session, batch)
            batch = []
    if batch:
        _insert_ignoring_duplicates(session, batch)
