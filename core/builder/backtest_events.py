"""The trigger events a workflow would have seen in a period, replayed from the history as one
frame (columns of ``core.engine.context.EVENT_COLUMNS``), vectorised: event triggers from the
order event log, time triggers (no order for N days, delivery promise missed) from orders."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import bindparam, text
from sqlalchemy.orm import Session

from core.engine.context import EVENT_COLUMNS
from core.engine.registry import TRIGGERS
from core.engine.schema import Trigger, WorkflowDefinition

_EVENTS = text(
    "SELECT order_id, customer_id, type AS event_type, occurred_at FROM order_events "
    "WHERE type IN :types AND occurred_at >= :lo AND occurred_at < :hi"
).bindparams(bindparam("types", expanding=True))
_ORDERS = text("SELECT id AS order_id, customer_id, placed_at, promised_delivery_at FROM orders")
_DELIVERED = text(
    "SELECT order_id, MIN(occurred_at) AS done_at FROM order_events "
    "WHERE type IN ('delivered', 'picked_up') GROUP BY order_id"
)


def _frame(session: Session, sql: object, params: dict[str, object] | None = None) -> pd.DataFrame:
    result = session.connection().execute(sql, params or {})  # type: ignore[call-overload]
    return pd.DataFrame(result.fetchall(), columns=list(result.keys()))


def _utc(series: pd.Series) -> pd.Series:
    return pd.to_datetime(series, utc=True, format="ISO8601")


def _finish(frame: pd.DataFrame, trigger: str) -> pd.DataFrame:
    frame = frame.copy()
    frame["occurred_at"] = _utc(frame["occurred_at"])
    frame["as_of"] = frame["occurred_at"]
    frame["trigger_at"] = frame["occurred_at"]
    frame["trigger"] = trigger
    return frame[[*EVENT_COLUMNS, "trigger"]]


def _no_order(orders: pd.DataFrame, days: int, lo: pd.Timestamp, hi: pd.Timestamp) -> pd.DataFrame:
    ordered = orders.sort_values(["customer_id", "placed_at"])
    following = ordered.groupby("customer_id")["placed_at"].shift(-1)
    due = ordered["placed_at"] + pd.Timedelta(days=days)
    fired = (following.isna() | (following > due)) & (due >= lo) & (due < hi)
    out = ordered.loc[fired, ["order_id", "customer_id"]].assign(
        event_type="no_order", occurred_at=due[fired]
    )
    return out


def _missed(
    session: Session, orders: pd.DataFrame, hours: float, lo: pd.Timestamp, hi: pd.Timestamp
) -> pd.DataFrame:
    done = _frame(session, _DELIVERED)
    merged = orders.merge(done, on="order_id", how="left")
    merged["done_at"] = _utc(merged["done_at"])
    due = merged["promised_delivery_at"] + pd.Timedelta(hours=hours)
    late = merged["done_at"].isna() | (merged["done_at"] > due)
    fired = merged["promised_delivery_at"].notna() & late & (due >= lo) & (due < hi)
    return merged.loc[fired, ["order_id", "customer_id"]].assign(
        event_type="promise_missed", occurred_at=due[fired]
    )


def _time_trigger(
    session: Session, trig: Trigger, lo: pd.Timestamp, hi: pd.Timestamp
) -> pd.DataFrame:
    orders = _frame(session, _ORDERS)
    orders["placed_at"] = _utc(orders["placed_at"])
    orders["promised_delivery_at"] = _utc(orders["promised_delivery_at"])
    if trig.type == "no_order_for_days":
        return _no_order(orders, int(trig.params.get("days", 90)), lo, hi)
    return _missed(session, orders, float(trig.params.get("grace_hours", 0) or 0), lo, hi)


def trigger_events(
    session: Session, definition: WorkflowDefinition, lo: dt.datetime, hi: dt.datetime
) -> pd.DataFrame:
    """Every trigger firing in ``[lo, hi)``, sorted by time, with the trigger key per row."""
    parts: list[pd.DataFrame] = []
    lo_ts, hi_ts = pd.Timestamp(lo), pd.Timestamp(hi)
    for trig in definition.triggers:
        spec = TRIGGERS.get(trig.type)
        if spec is None:
            continue
        if spec.kind == "time":
            found = _time_trigger(session, trig, lo_ts, hi_ts)
        else:
            found = _frame(session, _EVENTS, {"types": [spec.event], "lo": lo, "hi": hi})
        if len(found):
            parts.append(_finish(found, trig.type))
    if not parts:
        return pd.DataFrame(columns=[*EVENT_COLUMNS, "trigger"])
    frame = pd.concat(parts, ignore_index=True).sort_values("occurred_at", kind="stable")
    return frame.reset_index(drop=True)
