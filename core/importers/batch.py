"""The validated, normalized content of one file, ready to be written.

Frames use the table's column names. Keys that reference other rows are external ids:
``customer_key`` (customers.external_id) on orders, ``order_ref`` (orders.external_id) on lines and
reviews. Timestamps are ``datetime64[us, UTC]``, amounts normalized decimal strings, NA = unknown
(an update keeps the stored value)."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from core.importers.parsing import TS_DTYPE

ORDER_EVENT_COLUMNS = {
    "placed": "placed_at",
    "paid": "paid_at",
    "shipped": "shipped_at",
    "delivered": "delivered_at",
    "cancelled": "cancelled_at",
    "refunded": "refunded_at",
}


@dataclass
class Context:
    """What parsing needs to know about the store and the request."""

    tz: ZoneInfo
    currency: str


@dataclass
class Batch:
    kind: str
    fmt: str
    rows_read: int
    orders: pd.DataFrame | None = None
    customers: pd.DataFrame | None = None
    lines: pd.DataFrame | None = None
    products: pd.DataFrame | None = None
    reviews: pd.DataFrame | None = None
    shipments: pd.DataFrame | None = None


def latest(frame: pd.DataFrame, columns: list[str]) -> pd.Series:
    """Row-wise latest of the given timestamp columns (NaT when all are empty)."""
    present = [frame[c] for c in columns if c in frame]
    if not present:
        return pd.Series(pd.NaT, index=frame.index, dtype=TS_DTYPE)
    stacked = pd.concat(present, axis=1)
    return stacked.max(axis=1).astype(TS_DTYPE)


def derive_lifecycle(orders: pd.DataFrame) -> pd.DataFrame:
    """Fill the status and the event times the file implies. Without a status, it follows
    the latest known step (cancelled, delivered, fulfilled, paid); with nothing known it stays
    NA: a new order is ``open``, a known order keeps its status.
    A cancelled order without ``cancelled_at`` was cancelled when placed; a refund (status or
    refunded amount) without ``refunded_at`` is dated at the latest known moment of the order,
    as files rarely carry the refund date. A payment time is never invented: ``paid_at`` (and
    the ``paid`` event) come only from the file."""
    out = orders.copy()
    for column in ORDER_EVENT_COLUMNS.values():
        if column not in out:
            out[column] = pd.Series(pd.NaT, index=out.index, dtype=TS_DTYPE)
    status = out["status"] if "status" in out else pd.Series(pd.NA, index=out.index, dtype="str")
    implied = np.select(
        [
            out["cancelled_at"].notna().to_numpy(),
            out["delivered_at"].notna().to_numpy(),
            out["shipped_at"].notna().to_numpy(),
            out["paid_at"].notna().to_numpy(),
        ],
        ["cancelled", "delivered", "fulfilled", "paid"],
        default="",
    )
    implied_status = pd.Series(implied, index=out.index, dtype="str")
    status = status.fillna(implied_status.where(implied_status != ""))
    out["status"] = status  # NA: "open" for a new order, unchanged for a known one
    cancelled = status == "cancelled"
    out["cancelled_at"] = out["cancelled_at"].where(
        ~(cancelled & out["cancelled_at"].isna()), out["placed_at"]
    )
    refunded_amount = out.get("refunded_amount")
    refunded = status == "refunded"
    if refunded_amount is not None:
        refunded = refunded | (refunded_amount.notna() & ~refunded_amount.isin(["0.00"]))
    when = latest(out, ["placed_at", "paid_at", "shipped_at", "delivered_at", "cancelled_at"])
    out["refunded_at"] = out["refunded_at"].where(~(refunded & out["refunded_at"].isna()), when)
    return out
