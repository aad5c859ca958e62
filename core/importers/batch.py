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
import pyarrow as pa
import pyarrow.compute as pc

from core.importers.parsing import TS_DTYPE
from core.orderstate import statuses

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


def _amounts(frame: pd.DataFrame, column: str) -> pd.Series:
    """The normalized amount strings as floats (NaN when empty)."""
    if column not in frame:
        return pd.Series(np.nan, index=frame.index, dtype="float64")
    try:
        values = pc.cast(pa.array(frame[column], type=pa.string(), from_pandas=True), pa.float64())
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return pd.to_numeric(frame[column], errors="coerce")
    floats = values.to_numpy(zero_copy_only=False)
    return pd.Series(floats, index=frame.index, dtype="float64")


def derive_lifecycle(orders: pd.DataFrame) -> pd.DataFrame:
    """Fill the event times and the status the file implies, as applying the order's events
    one by one through :func:`core.orderstate.apply_event` would (the status by the same
    precedence, :func:`core.orderstate.statuses`; the file's own status is the floor).
    A cancelled order without ``cancelled_at`` was cancelled when placed; a refund (status or
    refunded amount) without ``refunded_at`` is dated at the latest known moment of the order,
    as files rarely carry the refund date, and a refund without an amount is a full refund. A
    payment time is never invented: ``paid_at`` (and the ``paid`` event) come only from the
    file. A row with neither a status nor any moment besides ``placed_at`` gets NA: a new order
    is ``open``, a known order keeps its status."""
    out = orders.copy()
    for column in ORDER_EVENT_COLUMNS.values():
        if column not in out:
            out[column] = pd.Series(pd.NaT, index=out.index, dtype=TS_DTYPE)
    given = out["status"] if "status" in out else pd.Series(pd.NA, index=out.index, dtype="str")
    cancelled = given == "cancelled"
    out["cancelled_at"] = out["cancelled_at"].where(
        ~(cancelled & out["cancelled_at"].isna()), out["placed_at"]
    )
    refunded_amount = out.get("refunded_amount")
    refunded = given == "refunded"
    if refunded_amount is not None:
        refunded = refunded | (refunded_amount.notna() & ~refunded_amount.isin(["0.00"]))
    when = latest(out, ["placed_at", "paid_at", "shipped_at", "delivered_at", "cancelled_at"])
    out["refunded_at"] = out["refunded_at"].where(~(refunded & out["refunded_at"].isna()), when)
    if "total" in out:
        full = (given == "refunded").fillna(False) & out["total"].notna()
        if refunded_amount is None:
            out["refunded_amount"] = pd.Series(pd.NA, index=out.index, dtype=out["total"].dtype)
        missing = out["refunded_amount"].isna() | out["refunded_amount"].isin(["0.00"])
        out["refunded_amount"] = out["refunded_amount"].where(~(full & missing), out["total"])
    moments = ["paid_at", "shipped_at", "delivered_at", "cancelled_at", "refunded_at"]
    known = given.notna() | out[moments].notna().any(axis=1)
    fully_refunded = out["refunded_at"].notna() & (
        _amounts(out, "refunded_amount") >= _amounts(out, "total")
    )
    status = statuses(
        cancelled=out["cancelled_at"].notna().to_numpy(),
        fully_refunded=fully_refunded.to_numpy(dtype=bool),
        delivered=out["delivered_at"].notna().to_numpy(),
        shipped=out["shipped_at"].notna().to_numpy(),
        paid=out["paid_at"].notna().to_numpy(),
        floor=given.to_numpy(dtype=object),
    )
    computed = pd.Series(status, index=out.index, dtype="str")
    out["status"] = computed.where(known.to_numpy(dtype=bool))
    return out
