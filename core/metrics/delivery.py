"""Delivery KPIs: on-time rate, delivery option mix, pickup lead time.

An order is delivered when every shipment was delivered (or, for click-and-collect, was ready for
pickup); it is on time when that moment is at or before the promised delivery time (both are
instants in UTC, so no time zone can shift them). On-time rate = on-time orders / delivered orders
with a promise; orders count by their local order date.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from core.metrics.types import Period


def on_time_rate(deliveries: pd.DataFrame) -> float | None:
    """On-time share of delivered orders with a promise (None without any)."""
    known = deliveries["on_time"].dropna()
    return float(known.mean()) if len(known) else None


def rate_from_counts(counts: pd.DataFrame) -> float | None:
    """The same rate from SQL day counts (``experience.on_time_counts``)."""
    delivered = int(counts["delivered"].sum())
    return int(counts["on_time"].sum()) / delivered if delivered else None


def daily(counts: pd.DataFrame, period: Period) -> pd.Series:
    index = pd.DatetimeIndex(period.dates(), name="day")
    c = counts.set_index("day").reindex(index, fill_value=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return (c["on_time"] / c["delivered"]).where(c["delivered"] > 0).rename("on_time_rate")


def by_option(deliveries: pd.DataFrame) -> pd.DataFrame:
    """Per delivery option: delivered orders with a promise, on time, on-time rate."""
    known = deliveries[deliveries["on_time"].notna()]
    grouped = known.groupby("delivery_option").agg(
        delivered=("on_time", "size"), on_time=("on_time", "sum")
    )
    grouped["on_time"] = grouped["on_time"].astype("int64")
    grouped["on_time_rate"] = grouped["on_time"] / grouped["delivered"]
    return grouped.reset_index()


def option_mix(orders: pd.DataFrame) -> pd.DataFrame:
    """Orders and share per delivery option (orders frame read with ``dims=True``)."""
    counts = orders["delivery_option"].value_counts()
    total = int(counts.sum())
    return pd.DataFrame(
        {
            "delivery_option": counts.index.astype(str),
            "orders": counts.to_numpy().astype("int64"),
            "share": counts.to_numpy() / total if total else np.array([]),
        }
    )


def weekly_on_time(deliveries: pd.DataFrame) -> pd.DataFrame:
    """On-time rate per week (Monday) of the order date."""
    known = deliveries[deliveries["on_time"].notna()]
    week = known["day"].dt.to_period("W-SUN").dt.start_time
    grouped = known.groupby(week).agg(
        delivered=("on_time", "size"), on_time_rate=("on_time", "mean")
    )
    return grouped.rename_axis("week").reset_index()


def pickup_lead_time(deliveries: pd.DataFrame) -> pd.DataFrame:
    """Click-and-collect timing in hours: order placed to ready for pickup, and ready to
    picked up; count, median, 90th percentile."""
    ready = deliveries[deliveries["ready_at"].notna()]
    spans = {
        "placed to ready": (ready["ready_at"] - ready["placed_at"]),
        "ready to picked up": (ready["picked_up_at"] - ready["ready_at"]).dropna(),
    }
    rows = []
    for label, span in spans.items():
        hours = span.dt.total_seconds() / 3600
        rows.append(
            {
                "stage": label,
                "orders": len(hours),
                "median_hours": float(hours.median()) if len(hours) else None,
                "p90_hours": float(hours.quantile(0.9)) if len(hours) else None,
            }
        )
    return pd.DataFrame(rows, columns=["stage", "orders", "median_hours", "p90_hours"])
