"""Writing a validated :class:`Batch`: look everything up first (unknown references become row
errors and nothing is written), then upsert in bulk.

Orders are keyed by external id, customers by their external id, products by SKU, reviews by
order (the latest wins); an order's lines are replaced. Events go to the normalized log with
source ``import`` (one per key, :data:`core.events.KEY`; an event already logged is kept). Order
state follows :func:`core.orderstate.apply_event`'s rules: new orders get the status
:func:`~core.importers.batch.derive_lifecycle` computed, known orders are recomputed from what is
stored once the file's values are written (:mod:`core.importers.lifecycle`)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pandas as pd

from core import facts
from core.errors import RowError
from core.events import KEY
from core.importers import shipments
from core.importers.batch import ORDER_EVENT_COLUMNS, Batch
from core.importers.customers import upsert_customers
from core.importers.events import new_order_events
from core.importers.job import EVENT_SOURCE, Job, map_keys, split, table
from core.importers.lifecycle import refresh_statuses
from core.importers.orderfacts import merge_new_orders
from core.importers.parsing import month_and_date
from core.importers.summary import Counts
from core.importers.writer import Writer

ORDER_COLUMNS = (
    "external_id",
    "number",
    "customer_id",
    "placed_at",
    "paid_at",
    "cancelled_at",
    "refunded_at",
    "placed_date",
    "placed_month",
    "status",
    "currency",
    "subtotal",
    "discount_amount",
    "shipping_amount",
    "tax_amount",
    "total",
    "refunded_amount",
    "discount_code",
    "channel",
    "delivery_option",
    "promised_delivery_at",
    "shipping_country",
    "shipping_address",
    "shipping_postcode",
    "note",
)
SHIPMENT_EVENT_TYPES = ("shipped", "delivered")
LINE_COLUMNS = ["order_id", "line_no", "sku", "name", "quantity", "unit_price"]


def write(writer: Writer, batch: Batch, tz: ZoneInfo, dry_run: bool) -> Counts:
    """Upsert ``batch``; with ``dry_run`` (or unresolved references) only look up and count."""
    job = Job(writer, tz, dry_run, Counts())
    with writer.bulk(own_transaction=not dry_run):
        _write(job, batch)
    return job.counts


def _write(job: Job, batch: Batch) -> None:
    customer_ids = pd.Series(dtype="int64")
    if batch.customers is not None:
        customer_ids = upsert_customers(job, batch.customers)
    if batch.orders is not None:
        order_ids = _orders(job, batch.orders, customer_ids)
        if batch.lines is not None:
            _replace_lines(job, batch.lines.assign(id=batch.lines["order_ref"].map(order_ids)))
    elif batch.lines is not None:
        _lines(job, batch.lines)
    if batch.reviews is not None:
        _reviews(job, batch.reviews)
    if batch.products is not None:
        _products(job, batch.products)
    if batch.shipments is not None:
        shipments.write(job, batch.shipments)


def _orders(job: Job, orders: pd.DataFrame, customer_ids: pd.Series) -> pd.Series:
    """Upsert orders, their shipments and events; returns order ids by external id."""
    writer, counts = job.writer, job.counts
    orders_table = table("orders")
    found = writer.lookup(orders_table, "external_id", orders["external_id"])
    new, old = split(orders, found, "external_id")
    counts.orders_created, counts.orders_updated = len(new), len(old)
    if job.dry_run:
        return pd.Series(dtype="int64")
    new = new.sort_values("external_id", kind="stable")  # appends to the unique index
    new["id"] = writer.allocate_ids(orders_table, len(new))
    for frame in (new, old):
        frame["customer_id"] = map_keys(frame["customer_key"], customer_ids).astype("int64")
        frame["placed_date"], frame["placed_month"] = month_and_date(frame["placed_at"], job.tz)
    columns = ["id", *(c for c in ORDER_COLUMNS if c in orders or c in new)]
    facts.ensure(writer.session)  # built once, before anything is touched (cheap when empty)
    if len(old) > facts.REBUILD_ABOVE:
        facts.touch_all(writer.session)
    else:
        facts.touch_orders_now(writer.session, old["id"].astype("int64").tolist())
        facts.touch(writer.session, old["customer_id"].tolist())
    if not facts.rebuild_pending(writer.session):
        merge_new_orders(writer, new)
    writer.insert(orders_table, new[columns])
    writer.update(orders_table, old[columns].drop(columns=["external_id"]))
    _shipments(writer, new, old)
    if writer.dialect == "sqlite" and len(new):
        new_order_events(writer, new)
    else:
        writer.insert(table("order_events"), _events(writer, new))
    writer.insert(
        table("order_events"), _unlogged(writer, _events(writer, old)), ignore_conflicts=KEY
    )
    refresh_statuses(writer, old["id"])
    both = pd.concat([new[["external_id", "id"]], old[["external_id", "id"]]])
    return pd.Series(both["id"].astype("int64").to_numpy(), index=both["external_id"].to_numpy())


def _shipments(writer: Writer, new: pd.DataFrame, old: pd.DataFrame) -> None:
    columns = [c for c in ("shipped_at", "delivered_at") if c in new]
    if not columns:
        return
    shipments = table("shipments")

    def shipped(frame: pd.DataFrame) -> pd.DataFrame:
        mask = frame[columns].notna().any(axis=1)
        return frame.loc[mask, ["id", *columns]].rename(columns={"id": "order_id"})

    rows = shipped(old)
    found = writer.lookup(shipments, "order_id", rows["order_id"]).drop_duplicates("order_id")
    known = rows.merge(found.rename(columns={"id": "shipment_id"}), on="order_id", how="left")
    updates = known[known["shipment_id"].notna()].drop(columns=["order_id"])
    writer.update(shipments, updates.rename(columns={"shipment_id": "id"}))
    inserts = pd.concat([shipped(new), known[known["shipment_id"].isna()][["order_id", *columns]]])
    writer.insert(shipments, inserts)


def _events(writer: Writer, orders: pd.DataFrame) -> pd.DataFrame:
    parts = []
    for event_type, column in ORDER_EVENT_COLUMNS.items():
        if column not in orders:
            continue
        happened = orders[orders[column].notna()]
        parts.append(
            pd.DataFrame(
                {
                    "order_id": happened["id"].astype("int64"),
                    "customer_id": happened["customer_id"].astype("int64"),
                    "type": event_type,
                    "occurred_at": happened[column],
                }
            )
        )
    events = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    if events.empty:
        return events
    events = events.sort_values("order_id", kind="stable")
    return events.assign(recorded_at=pd.Timestamp(writer.now), source=EVENT_SOURCE, payload="{}")


def _unlogged(writer: Writer, events: pd.DataFrame) -> pd.DataFrame:
    """Events of known orders minus the shipment events already logged under any reference (a
    live source logs ``shipped`` with its parcel reference, the fulfillment id; a shop export
    re-imported after it names no parcel, and must not log a second ``shipped`` that would mail
    the customer again)."""
    if events.empty:
        return events
    kinds = events["type"].isin(SHIPMENT_EVENT_TYPES)
    if not kinds.any():
        return events
    logged = writer.lookup(
        table("order_events"), "order_id", events.loc[kinds, "order_id"], ("type",)
    )
    seen = set(zip(logged["order_id"].astype("int64"), logged["type"], strict=True))
    keep = [
        not (k and (int(o), t) in seen)
        for k, o, t in zip(kinds, events["order_id"], events["type"], strict=True)
    ]
    return events[keep]


def _resolve_orders(
    writer: Writer, frame: pd.DataFrame, counts: Counts, columns: tuple[str, ...] = ("id",)
) -> pd.DataFrame:
    """``frame`` with the ids of the orders it references; unknown ones become row errors."""
    found = writer.lookup(table("orders"), "external_id", frame["order_ref"], columns)
    merged = frame.merge(found, left_on="order_ref", right_on="external_id", how="left")
    for row, ref in merged.loc[merged["id"].isna(), ["row", "order_ref"]].itertuples(index=False):
        reason = "no order with this order_id: import the orders first"
        counts.errors.append(RowError(int(row), "order_id", str(ref), reason))
    return merged


def _lines(job: Job, lines: pd.DataFrame) -> None:
    writer, counts = job.writer, job.counts
    merged = _resolve_orders(writer, lines, counts)
    if not counts.errors:
        _replace_lines(job, merged)


def _replace_lines(job: Job, lines: pd.DataFrame) -> None:
    """Replace the lines of every order in ``lines`` (its ``id`` column is the order's id)."""
    job.counts.lines_written = len(lines)
    if job.dry_run:
        return
    order_lines = table("order_lines")
    job.writer.delete_in(order_lines, "order_id", lines["id"])
    frame = lines.assign(order_id=lines["id"].astype("int64"))
    job.writer.insert(order_lines, frame[LINE_COLUMNS])


def _reviews(job: Job, reviews: pd.DataFrame) -> None:
    writer, counts = job.writer, job.counts
    merged = _resolve_orders(writer, reviews, counts, ("id", "customer_id"))
    if counts.errors:
        return
    merged = merged.rename(columns={"id": "order_id"})
    reviews_table = table("reviews")
    found = writer.lookup(reviews_table, "order_id", merged["order_id"], ("id", "submitted_at"))
    merged = merged.merge(found, on="order_id", how="left")
    stored_at = pd.to_datetime(merged["submitted_at_y"], utc=True).astype(
        merged["submitted_at_x"].dtype
    )
    keep = merged["id"].isna() | (merged["submitted_at_x"] >= stored_at)
    merged = merged[keep.to_numpy(dtype=bool)].rename(columns={"submitted_at_x": "submitted_at"})
    counts.reviews_written = len(merged)
    if job.dry_run:
        return
    merged["submitted_date"] = month_and_date(merged["submitted_at"], job.tz)[0]
    merged["source"] = EVENT_SOURCE
    merged["customer_id"] = merged["customer_id"].astype("int64")
    columns = [
        c
        for c in (
            "order_id",
            "customer_id",
            "rating",
            "nps",
            "comment",
            "submitted_at",
            "submitted_date",
            "source",
        )
        if c in merged
    ]
    facts.touch_orders(writer.session, merged["order_id"].astype("int64").tolist())
    writer.insert(reviews_table, merged.loc[merged["id"].isna(), columns])
    writer.update(reviews_table, merged.loc[merged["id"].notna(), ["id", *columns[1:]]])
    events = pd.DataFrame(
        {
            "order_id": merged["order_id"].astype("int64"),
            "customer_id": merged["customer_id"],
            "type": "review_submitted",
            "occurred_at": merged["submitted_at"],
            "recorded_at": pd.Timestamp(writer.now),
            "source": EVENT_SOURCE,
            "payload": "{}",
        }
    )
    writer.insert(table("order_events"), events, ignore_conflicts=KEY)


def _products(job: Job, products: pd.DataFrame) -> None:
    writer = job.writer
    products_table = table("products")
    found = writer.lookup(products_table, "sku", products["sku"])
    new, old = split(products, found, "sku")
    job.counts.products_written = len(products)
    if job.dry_run:
        return
    writer.insert(products_table, new.drop(columns=["id"]))
    writer.update(products_table, old.drop(columns=["sku"]))
