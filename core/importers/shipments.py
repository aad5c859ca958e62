"""The native ``shipments`` kind: one parcel per row, with its carrier, tracking and moments, so
a CSV-only shop gets the same shipped, out-for-delivery, ready-for-pickup and delivered emails
as a connected one.

Columns: ``order_id`` (required), ``shipped_at``, ``carrier``, ``tracking_number``,
``tracking_url``, ``status``, ``out_for_delivery_at``, ``delivered_at``, ``pickup_location``,
``ready_for_pickup_at``, ``picked_up_at``. A parcel is found again by its tracking number (else
it is the order's one parcel without a number), so importing the file again changes nothing.
Each moment becomes an event through the same order-state path as live ingest.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import select

from core.errors import RowError
from core.importers import parsing as p
from core.importers.batch import Context
from core.importers.job import EVENT_SOURCE, Job
from core.importers.parsing import Problems
from core.ingest.apply import UnknownOrder, apply_order
from core.ingest.normal import OrderIn, ShipmentIn
from core.models import Order

MOMENTS = (
    "shipped_at",
    "out_for_delivery_at",
    "delivered_at",
    "ready_for_pickup_at",
    "picked_up_at",
)
STATUSES = (
    "shipped",
    "in_transit",
    "out_for_delivery",
    "delivered",
    "ready_for_pickup",
    "picked_up",
    "failure",
)
NEEDS = {
    "shipped": "shipped_at",
    "in_transit": "shipped_at",
    "out_for_delivery": "out_for_delivery_at",
    "delivered": "delivered_at",
    "ready_for_pickup": "ready_for_pickup_at",
    "picked_up": "picked_up_at",
}
TEXTS = {"order_id": 64, "carrier": 64, "tracking_number": 64, "tracking_url": 500}


def parse(frame: pd.DataFrame, problems: Problems, ctx: Context) -> pd.DataFrame:
    p.required(frame["order_id"], "order_id", problems)
    out = pd.DataFrame({"row": problems.rows}, index=frame.index)
    for name, limit in TEXTS.items():
        if name in frame:
            out[name] = p.text(frame[name], name, problems, limit)
    if "tracking_url" in out:
        url = out["tracking_url"]
        bad = url.notna() & ~url.fillna("").str.match(r"^https?://\S+$")
        problems.flag(bad, frame["tracking_url"], "tracking_url", "is not an http(s) address")
    if "pickup_location" in frame:
        out["pickup_location"] = p.text(frame["pickup_location"], "pickup_location", problems, 255)
    for name in MOMENTS:
        if name in frame:
            out[name] = p.timestamps(frame[name], name, problems, ctx.tz)
    if "status" in frame:
        status = p.choice(
            frame["status"], "status", problems, STATUSES, {"in transit": "in_transit"}
        )
        for value, column in NEEDS.items():
            missing = (status == value) & (
                out[column].isna() if column in out else pd.Series(True, index=out.index)
            )
            problems.flag(missing, frame["status"], "status", f"{value} needs {column}")
    return out


def _value(row: pd.Series, name: str) -> object:
    value = row.get(name)
    return None if value is None or pd.isna(value) else value


def _moment(row: pd.Series, name: str) -> object:
    value = _value(row, name)
    return value.to_pydatetime() if isinstance(value, pd.Timestamp) else None


def write(job: Job, frame: pd.DataFrame) -> None:
    """Apply every row (one parcel) in the import's transaction; an order that is not known
    becomes a row error and nothing is written."""
    session = job.writer.session
    errors: list[RowError] = []
    if job.dry_run:
        known = set(
            session.scalars(
                select(Order.external_id).where(
                    Order.external_id.in_(frame["order_id"].dropna().unique().tolist())
                )
            )
        )
        for _, row in frame[~frame["order_id"].isin(known)].iterrows():
            errors.append(
                RowError(int(row["row"]), "order_id", str(row["order_id"]), "no such order")
            )
        job.counts.shipments_written = len(frame) - len(errors)
        job.counts.errors.extend(errors)
        return
    for _, row in frame.iterrows():
        order_id = str(_value(row, "order_id") or "")
        number = _value(row, "tracking_number")
        shipment = ShipmentIn(
            ref=str(number) if number else f"csv:{order_id}"[:64],
            carrier=_text(row, "carrier"),
            tracking_number=_text(row, "tracking_number"),
            tracking_url=_text(row, "tracking_url"),
        )
        for name in MOMENTS:
            setattr(shipment, name, _moment(row, name))
        update = OrderIn(
            number=order_id, shipments=[shipment], pickup_location=_text(row, "pickup_location")
        )
        try:
            apply_order(session, update, EVENT_SOURCE)
        except UnknownOrder:
            errors.append(RowError(int(row["row"]), "order_id", order_id, "no such order"))
            continue
        job.counts.shipments_written += 1
    job.counts.errors.extend(errors)


def _text(row: pd.Series, name: str) -> str | None:
    value = _value(row, name)
    return str(value) if value else None
