"""The values of every condition field, for many events at once, as one pandas frame.

One frame serves enrolment (entry conditions on a batch of new events), the runner (one row per
enrolment for the "still true?" filter, exit conditions and branches) and the backtest (the whole
history), so a rule means the same thing everywhere. Only the columns a workflow uses are loaded.

Customer aggregates are taken *as of* each row's ``as_of`` instant: at entry that is the event
time, in re-checks it is now. They count every order placed (cancelled ones too).
``customer.rfm_segment`` uses fixed bins (see :func:`rfm_segment`), not quintiles, so a segment
does not move when other customers buy.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import bindparam, text
from sqlalchemy.orm import Session

from core.engine.sqlutil import frame_of
from core.settings import StoreSettings

EVENT_COLUMNS = ["order_id", "customer_id", "event_type", "occurred_at", "as_of", "trigger_at"]
CHUNK = 20_000
BULK_THRESHOLD = 50_000

_ORDER_SQL = """
SELECT o.id AS order_id, o.total, o.subtotal, o.currency, o.refunded_amount, o.refunded_at,
       o.cancelled_at, o.status, o.channel, o.delivery_option, o.discount_code, o.placed_at,
       o.promised_delivery_at, COALESCE(o.shipping_country, c.country) AS country
FROM orders o JOIN customers c ON c.id = o.customer_id
"""
_CUSTOMER_SQL = "SELECT id AS customer_id, tags, locale, country, marketing_consent FROM customers"
_LINES_SQL = """
SELECT l.order_id, l.sku, l.name, l.quantity, p.category
FROM order_lines l LEFT JOIN products p ON p.sku = l.sku
"""
_HISTORY_SQL = (
    "SELECT id AS order_id, customer_id, placed_at, total, currency, refunded_amount FROM orders"
)
_DELIVERY_SQL = """
SELECT order_id, MIN(occurred_at) AS delivered_at FROM order_events
WHERE type IN ('delivered', 'picked_up')
"""
_REVIEW_SQL = "SELECT order_id, rating, nps FROM reviews"

ORDER_FIELDS = {
    "order.total",
    "order.subtotal",
    "order.currency",
    "order.country",
    "order.channel",
    "order.delivery_option",
    "order.status",
    "order.discount_code",
    "order.placed_at",
    "order.promised_delivery_at",
    "order.refunded",
    "order.cancelled",
}
LINE_FIELDS = {"order.skus", "order.item_names", "order.categories", "order.item_count"}
DELIVERY_FIELDS = {"order.delivered_at", "order.delivery_delay_days", "order.delivered_on_time"}
AGGREGATE_FIELDS = {
    "order.sequence",
    "customer.order_count",
    "customer.total_spent",
    "customer.first_order_at",
    "customer.last_order_at",
    "customer.days_since_last_order",
    "customer.orders_since_entry",
    "customer.rfm_segment",
}
CUSTOMER_FIELDS = {
    "customer.tags",
    "customer.locale",
    "customer.country",
    "customer.marketing_consent",
}
REVIEW_FIELDS = {"event.rating", "event.nps"}


def query(
    session: Session, sql: str, column: str | None, ids: Sequence[int] | None
) -> pd.DataFrame:
    """Rows of ``sql``, restricted to ``column IN ids`` (chunked) unless ids is None or large."""
    conn = session.connection()
    joiner = " AND " if re.search(r"\bWHERE\b", sql) else " WHERE "
    if ids is None or column is None or len(ids) > BULK_THRESHOLD:
        suffix = " GROUP BY order_id" if "MIN(" in sql else ""
        result = conn.execute(text(sql + suffix))
        return frame_of(result)
    frames = []
    unique = sorted(set(ids)) or [-1]  # no ids: an empty frame that still has the columns
    for start in range(0, len(unique), CHUNK):
        chunk = unique[start : start + CHUNK]
        stmt = text(
            sql + joiner + f"{column} IN :ids" + (" GROUP BY order_id" if "MIN(" in sql else "")
        )
        result = conn.execute(stmt.bindparams(bindparam("ids", expanding=True)), {"ids": chunk})
        frames.append(frame_of(result))
    return pd.concat(frames, ignore_index=True)


def _utc(series: pd.Series) -> pd.Series:
    return pd.to_datetime(series, utc=True, format="ISO8601")


def _to_store(amount: pd.Series, currency: pd.Series, settings: StoreSettings) -> pd.Series:
    rates = {k: float(v) for k, v in settings.exchange_rates.items()}
    rates[settings.currency] = 1.0
    factor = currency.map(rates).astype("float64")
    return pd.to_numeric(amount, errors="coerce").astype("float64") * factor


def choice_column(column: pd.Series) -> pd.Series:
    """A column of codes as a pandas categorical: comparisons and ``isin`` on codes are fast."""
    return column.astype(object).where(column.notna(), None).astype("category")


def _json_list(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v) for v in value]
    if isinstance(value, str) and value.startswith("["):
        import json

        return [str(v) for v in json.loads(value)]
    return []


def _order_columns(session: Session, ids: Sequence[int] | None, st: StoreSettings) -> pd.DataFrame:
    raw = query(session, _ORDER_SQL, "o.id", ids)
    out = pd.DataFrame({"order_id": raw["order_id"].astype("int64")})
    out["order.total"] = _to_store(raw["total"], raw["currency"], st)
    out["order.subtotal"] = _to_store(raw["subtotal"], raw["currency"], st)
    for key in ("currency", "country", "channel", "delivery_option", "status"):
        out[f"order.{key}"] = choice_column(raw[key])
    out["order.discount_code"] = (
        raw["discount_code"].astype(object).where(raw["discount_code"].notna(), None)
    )
    out["order.placed_at"] = _utc(raw["placed_at"])
    out["order.promised_delivery_at"] = _utc(raw["promised_delivery_at"])
    refunded = pd.to_numeric(raw["refunded_amount"], errors="coerce").fillna(0) > 0
    out["order.refunded"] = (refunded | raw["refunded_at"].notna()).astype(bool)
    out["order.cancelled"] = raw["cancelled_at"].notna().astype(bool)
    return out


def _customer_columns(session: Session, ids: Sequence[int] | None) -> pd.DataFrame:
    raw = query(session, _CUSTOMER_SQL, "id", ids)
    out = pd.DataFrame({"customer_id": raw["customer_id"].astype("int64")})
    out["customer.tags"] = raw["tags"].map(_json_list)
    out["customer.locale"] = choice_column(raw["locale"])
    out["customer.country"] = choice_column(raw["country"])
    out["customer.marketing_consent"] = raw["marketing_consent"].astype(bool)
    return out


def _line_columns(session: Session, ids: Sequence[int] | None) -> pd.DataFrame:
    raw = query(session, _LINES_SQL, "l.order_id", ids)
    if raw.empty:
        return pd.DataFrame(columns=["order_id", *sorted(LINE_FIELDS)])
    grouped = raw.groupby("order_id")
    out = pd.DataFrame(
        {
            "order.skus": grouped["sku"].agg(lambda s: [str(v) for v in s if v is not None]),
            "order.item_names": grouped["name"].agg(lambda s: [str(v) for v in s if v is not None]),
            "order.categories": grouped["category"].agg(
                lambda s: sorted({str(v) for v in s if v is not None})
            ),
            "order.item_count": grouped["quantity"].sum().astype("float64"),
        }
    )
    return out.reset_index()


def _delivery_columns(session: Session, ids: Sequence[int] | None) -> pd.DataFrame:
    raw = query(session, _DELIVERY_SQL, "order_id", ids)
    return pd.DataFrame(
        {
            "order_id": raw["order_id"].astype("int64"),
            "order.delivered_at": _utc(raw["delivered_at"]),
        }
    )


def _review_columns(session: Session, ids: Sequence[int] | None) -> pd.DataFrame:
    raw = query(session, _REVIEW_SQL, "order_id", ids)
    return pd.DataFrame(
        {
            "order_id": raw["order_id"].astype("int64"),
            "event.rating": pd.to_numeric(raw["rating"]).astype("float64"),
            "event.nps": pd.to_numeric(raw["nps"]).astype("float64"),
        }
    )


def rfm_segment(recency_days: pd.Series, orders: pd.Series) -> pd.Series:
    """Fixed-bin RFM segment: lost after 365 days; champions (4+ orders, last within 60 days);
    loyal (2+ orders, within 120); new (1 order, within 30); potential (1 order, within 120);
    at_risk (2+ orders, 121-365 days); hibernating (1 order, 121-365 days)."""
    r, f = recency_days.to_numpy(dtype="float64"), orders.to_numpy(dtype="float64")
    choices = [
        r > 365,
        (f >= 4) & (r <= 60),
        (f >= 2) & (r <= 120),
        (f == 1) & (r <= 30),
        (f == 1) & (r <= 120),
        f >= 2,
        f == 1,
    ]
    names = ["lost", "champions", "loyal", "new", "potential", "at_risk", "hibernating"]
    picked = np.select(choices, names, default="")
    values: list[Any] = [None if np.isnan(x) else str(p) for x, p in zip(r, picked, strict=True)]
    return pd.Series(values, index=recency_days.index, dtype="object")


def _aggregates(
    session: Session, frame: pd.DataFrame, st: StoreSettings, customer_ids: Sequence[int] | None
) -> pd.DataFrame:
    hist = query(session, _HISTORY_SQL, "customer_id", customer_ids)
    hist["placed_at"] = _utc(hist["placed_at"])
    net = _to_store(hist["total"], hist["currency"], st) - _to_store(
        hist["refunded_amount"].fillna(0), hist["currency"], st
    )
    hist = hist.assign(net=net.fillna(0)).sort_values(["customer_id", "placed_at", "order_id"])
    hist["count"] = hist.groupby("customer_id").cumcount() + 1
    hist["spent"] = hist.groupby("customer_id")["net"].cumsum()
    seq = hist.set_index("order_id")["count"]
    first = hist.groupby("customer_id")["placed_at"].min()
    right = hist[["customer_id", "placed_at", "count", "spent"]].sort_values("placed_at")
    out = frame[["customer_id", "order_id", "as_of", "trigger_at"]].copy()
    out["_row"] = np.arange(len(out))
    asof = (
        pd.merge_asof(
            out.sort_values("as_of"),
            right,
            left_on="as_of",
            right_on="placed_at",
            by="customer_id",
            direction="backward",
        )
        .set_index("_row")
        .sort_index()
    )
    at_entry = (
        pd.merge_asof(
            out.sort_values("trigger_at"),
            right[["customer_id", "placed_at", "count"]],
            left_on="trigger_at",
            right_on="placed_at",
            by="customer_id",
            direction="backward",
        )
        .set_index("_row")
        .sort_index()
    )
    count = asof["count"].fillna(0).astype("float64")
    result = pd.DataFrame(index=frame.index)
    result["order.sequence"] = frame["order_id"].map(seq).astype("float64").to_numpy()
    result["customer.order_count"] = count.to_numpy()
    result["customer.total_spent"] = asof["spent"].fillna(0.0).to_numpy()
    result["customer.first_order_at"] = frame["customer_id"].map(first).to_numpy()
    first_at = pd.Series(result["customer.first_order_at"].to_numpy(), index=frame.index)
    result["customer.first_order_at"] = first_at.where(first_at <= frame["as_of"])
    result["customer.last_order_at"] = asof["placed_at"].to_numpy()
    days = (frame["as_of"].to_numpy() - asof["placed_at"].to_numpy()) / pd.Timedelta(days=1)
    result["customer.days_since_last_order"] = np.asarray(days, dtype="float64")
    entry_count = at_entry["count"].fillna(0).astype("float64").to_numpy()
    result["customer.orders_since_entry"] = count.to_numpy() - entry_count
    result["customer.rfm_segment"] = rfm_segment(
        result["customer.days_since_last_order"], result["customer.order_count"]
    )
    return result


def needed_groups(fields: Iterable[str]) -> set[str]:
    wanted = set(fields)
    groups = set()
    for name, members in (
        ("order", ORDER_FIELDS),
        ("lines", LINE_FIELDS),
        ("delivery", DELIVERY_FIELDS),
        ("aggregates", AGGREGATE_FIELDS),
        ("customer", CUSTOMER_FIELDS),
        ("review", REVIEW_FIELDS),
    ):
        if wanted & members:
            groups.add(name)
    if wanted & {"order.delivery_delay_days", "order.delivered_on_time"}:
        groups.add("order")
    return groups


def enrich(
    session: Session,
    events: pd.DataFrame,
    settings: StoreSettings,
    fields: Iterable[str] | None = None,
    *,
    whole_table: bool = False,
) -> pd.DataFrame:
    """``events`` (columns :data:`EVENT_COLUMNS`) with one column per wanted field (all fields
    when ``fields`` is None). ``whole_table`` reads whole tables (backtests) instead of IN lists."""
    from core.engine.registry import FIELDS

    wanted = set(FIELDS) if fields is None else set(fields)
    groups = needed_groups(wanted)
    frame = events.reset_index(drop=True).copy()
    for col in ("occurred_at", "as_of", "trigger_at"):
        frame[col] = _utc(frame[col]) if len(frame) else pd.Series([], dtype="datetime64[ns, UTC]")
    frame["event.type"] = frame["event_type"]
    frame["event.occurred_at"] = frame["occurred_at"]
    order_ids = None if whole_table else [int(v) for v in frame["order_id"].dropna()]
    customer_ids = None if whole_table else [int(v) for v in frame["customer_id"]]
    loaders: list[tuple[str, str, Callable[[], pd.DataFrame]]] = [
        ("order", "order_id", lambda: _order_columns(session, order_ids, settings)),
        ("customer", "customer_id", lambda: _customer_columns(session, customer_ids)),
        ("lines", "order_id", lambda: _line_columns(session, order_ids)),
        ("delivery", "order_id", lambda: _delivery_columns(session, order_ids)),
        ("review", "order_id", lambda: _review_columns(session, order_ids)),
    ]
    for group, key, load in loaders:
        if group in groups and len(frame):
            frame = frame.merge(load(), on=key, how="left")
    if "lines" in groups and "order.skus" in frame:
        for col in ("order.skus", "order.item_names", "order.categories"):
            frame[col] = frame[col].map(lambda v: v if isinstance(v, list) else [])
    if "delivery" in groups and len(frame):
        late = frame["order.delivered_at"] - frame["order.promised_delivery_at"]
        frame["order.delivery_delay_days"] = late.dt.total_seconds() / 86_400
        on_time = frame["order.delivered_at"] <= frame["order.promised_delivery_at"]
        known = frame["order.delivered_at"].notna() & frame["order.promised_delivery_at"].notna()
        frame["order.delivered_on_time"] = pd.Series(on_time, dtype="boolean").where(known)
    if "aggregates" in groups and len(frame):
        aggregates = _aggregates(session, frame, settings, customer_ids)
        for col in aggregates.columns:
            frame[col] = aggregates[col].to_numpy()
    return frame


def record_from_frame(frame: pd.DataFrame, position: int) -> dict[str, Any]:
    """One row as a plain mapping of field key -> value (None for missing)."""
    row = frame.iloc[position]
    out: dict[str, Any] = {}
    for key, value in row.items():
        if isinstance(value, list):
            out[str(key)] = value
        elif value is None or (not isinstance(value, str) and pd.isna(value)):
            out[str(key)] = None
        else:
            out[str(key)] = value
    return out
