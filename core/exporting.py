"""Exporting tables to CSV for spreadsheets (delimiter, decimal separator and BOM chosen by
the caller, see ``core.csvout``).

``orders`` has one row per order with its customer's external id and email and its first
shipment's times, in the column names of the native orders import, so an export can be imported
again. Other tables are exported column for column; references to orders and customers are given
as their external ids where the table is part of the order history.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeAlias

import pandas as pd
from sqlalchemy import JSON, Select, func, select
from sqlalchemy.orm import Session

from core import audit
from core.auth import Action, Actor, require
from core.csvout import CsvFormat, to_csv_bytes
from core.errors import ValidationError
from core.models import (
    AuditEntry,
    Coupon,
    Customer,
    Message,
    Order,
    OrderEvent,
    OrderLine,
    Product,
    ReferralCode,
    Review,
    Shipment,
)

AnySelect: TypeAlias = "Select[*tuple[Any, ...]]"


def _orders() -> AnySelect:
    first_shipment = (
        select(
            Shipment.order_id,
            func.min(Shipment.shipped_at).label("shipped_at"),
            func.min(Shipment.delivered_at).label("delivered_at"),
        )
        .group_by(Shipment.order_id)
        .subquery()
    )
    return (
        select(
            Order.external_id.label("order_id"),
            Order.number,
            Customer.external_id.label("customer_id"),
            Customer.email,
            Order.placed_at,
            Order.placed_date,
            Order.placed_month,
            Order.status,
            Order.currency,
            Order.subtotal,
            Order.discount_code,
            Order.discount_amount,
            Order.shipping_amount,
            Order.tax_amount,
            Order.total,
            Order.refunded_amount,
            Order.channel,
            Order.delivery_option,
            Order.promised_delivery_at,
            Order.shipping_country,
            Order.paid_at,
            Order.cancelled_at,
            Order.refunded_at,
            first_shipment.c.shipped_at,
            first_shipment.c.delivered_at,
            Order.is_demo,
        )
        .join(Customer, Customer.id == Order.customer_id)
        .outerjoin(first_shipment, first_shipment.c.order_id == Order.id)
        .order_by(Order.placed_at, Order.id)
    )


def _customers() -> AnySelect:
    columns = [c for c in Customer.__table__.c if c.name not in {"id", "external_id"}]
    return select(Customer.external_id.label("customer_id"), *columns).order_by(Customer.id)


def _lines() -> AnySelect:
    return (
        select(
            Order.external_id.label("order_id"),
            OrderLine.line_no,
            OrderLine.sku,
            OrderLine.name,
            OrderLine.quantity,
            OrderLine.unit_price,
            Order.currency,
        )
        .join(Order, Order.id == OrderLine.order_id)
        .order_by(OrderLine.order_id, OrderLine.line_no)
    )


def _reviews() -> AnySelect:
    return (
        select(
            Order.external_id.label("order_id"),
            Customer.external_id.label("customer_id"),
            Review.rating,
            Review.nps,
            Review.comment,
            Review.submitted_at.label("created_at"),
            Review.submitted_date,
            Review.source,
            Review.is_demo,
        )
        .join(Order, Order.id == Review.order_id)
        .join(Customer, Customer.id == Review.customer_id)
        .order_by(Review.submitted_at, Review.id)
    )


def _events() -> AnySelect:
    return (
        select(
            Order.external_id.label("order_id"),
            Customer.external_id.label("customer_id"),
            OrderEvent.type,
            OrderEvent.occurred_at,
            OrderEvent.recorded_at,
            OrderEvent.source,
            OrderEvent.payload,
        )
        .join(Order, Order.id == OrderEvent.order_id)
        .join(Customer, Customer.id == OrderEvent.customer_id)
        .order_by(OrderEvent.occurred_at, OrderEvent.id)
    )


def _shipments() -> AnySelect:
    columns = [c for c in Shipment.__table__.c if c.name not in {"id", "order_id"}]
    return (
        select(Order.external_id.label("order_id"), *columns)
        .join(Order, Order.id == Shipment.order_id)
        .order_by(Shipment.id)
    )


def _whole(model: Any) -> Callable[[], AnySelect]:
    return lambda: select(*model.__table__.c).order_by(model.id)


QUERIES: dict[str, Callable[[], AnySelect]] = {
    "orders": _orders,
    "customers": _customers,
    "lines": _lines,
    "products": _whole(Product),
    "reviews": _reviews,
    "events": _events,
    "shipments": _shipments,
    "messages": _whole(Message),
    "coupons": _whole(Coupon),
    "referral_codes": _whole(ReferralCode),
    "audit_log": _whole(AuditEntry),
}
TABLES: tuple[str, ...] = tuple(QUERIES)


def export_table(session: Session, actor: Actor, table: str) -> pd.DataFrame:
    """Every row of ``table`` as a frame (amounts as Decimal, timestamps in UTC)."""
    require(actor, Action.EXPORT_DATA)
    if table not in QUERIES:
        raise ValidationError(
            f"Unknown table {table!r}.", field="table", hint=f"Use one of: {', '.join(TABLES)}."
        )
    stmt = QUERIES[table]()
    result = session.execute(stmt)
    frame = pd.DataFrame(result.all(), columns=list(result.keys()))
    for column in stmt.selected_columns:
        if isinstance(column.type, JSON) and column.key in frame:
            frame[column.key] = frame[column.key].map(_json_text)
    audit.record(session, actor.name, "data.export", table, {"rows": len(frame)})
    return frame


def record_download(session: Session, actor: Actor, file_name: str, rows: int) -> None:
    """Audit a CSV download from a page (``export.download``); PermissionDenied for a role
    that may not export, so a download is refused in core, not only hidden in the page."""
    require(actor, Action.EXPORT_DATA)
    audit.record(session, actor.name, "export.download", file_name, {"rows": rows})


def _json_text(value: object) -> object:
    """JSON values (payloads, tags, details) as JSON text."""
    return None if value is None else json.dumps(value, ensure_ascii=False, default=str)


def write_csv(frame: pd.DataFrame, path: str | Path, fmt: CsvFormat) -> Path:
    """Write ``frame`` as CSV in ``fmt`` (UTF-8, optional BOM); returns the path."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(to_csv_bytes(frame, fmt))
    return target
