"""The event log of newly inserted orders, written by SQLite itself (no row binding).

New orders have consecutive ids (see ``Writer.allocate_ids``) and their event times are already
stored on the order (placed, paid, cancelled, refunded) or its shipment (shipped, delivered), so
one ``INSERT ... SELECT`` copies them into ``order_events``, in the same order as the bulk path:
by order, then by type in ``ORDER_EVENT_COLUMNS`` order."""

from __future__ import annotations

import pandas as pd

from core.importers.batch import ORDER_EVENT_COLUMNS
from core.importers.job import EVENT_SOURCE, table
from core.importers.writer import Writer

SHIPMENT_EVENTS = ("shipped", "delivered")
EVENT_COLUMNS = (
    "order_id",
    "customer_id",
    "type",
    "occurred_at",
    "recorded_at",
    "source",
    "payload",
)


def new_order_events(writer: Writer, new: pd.DataFrame) -> None:
    """Log the events of ``new`` (orders just inserted, with their ``id``) on SQLite."""
    present = [t for t, c in ORDER_EVENT_COLUMNS.items() if c in new and new[c].notna().any()]
    if not present:
        return
    shipped = any(t in SHIPMENT_EVENTS for t in present)
    ranks = ", ".join(f"('{t}', {i})" for i, t in enumerate(present))
    moments = " ".join(
        f"WHEN '{t}' THEN {'s' if t in SHIPMENT_EVENTS else 'o'}.{ORDER_EVENT_COLUMNS[t]}"
        for t in present
    )
    join = "LEFT JOIN shipments AS s ON s.order_id = o.id " if shipped else ""
    query = (
        "SELECT order_id, customer_id, type, occurred_at, ?, ?, '{}' FROM ("
        "SELECT o.id AS order_id, o.customer_id AS customer_id, t.column1 AS type, "
        f"CASE t.column1 {moments} END AS occurred_at, t.column2 AS rank "
        f"FROM orders AS o {join}CROSS JOIN (VALUES {ranks}) AS t "
        "WHERE o.id BETWEEN ? AND ?) WHERE occurred_at IS NOT NULL ORDER BY order_id, rank"
    )
    ids = new["id"]
    params = (writer.now_text(), EVENT_SOURCE, int(ids.min()), int(ids.max()))
    rows = int(new[[ORDER_EVENT_COLUMNS[t] for t in present]].notna().sum().sum())
    writer.insert_select(table("order_events"), EVENT_COLUMNS, query, params, rows)
