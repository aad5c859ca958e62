"""WooCommerce webhook payloads (``order.created``, ``order.updated``: the REST API's order JSON)
-> ``OrderIn``. Times are the ``*_gmt`` fields (UTC without an offset). Status changes map to
paid (processing, completed), shipped (completed), cancelled and refunded. Tracking comes from
the Shipment Tracking extension's ``_wc_shipment_tracking_items`` meta when present."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from core.ingest import normal as n
from core.ingest.normal import CustomerIn, LineIn, OrderIn, PayloadError, ShipmentIn

TOPICS = ("order.created", "order.updated")
PAID = ("processing", "completed")
TRACKING_META = "_wc_shipment_tracking_items"


def handled(topic: str) -> bool:
    return topic in TOPICS


def _gmt(data: Mapping[str, Any], key: str) -> dt.datetime | None:
    return n.moment(data, f"{key}_gmt") or n.moment(data, key)


def parse(topic: str, data: Mapping[str, Any]) -> OrderIn:
    number = n.text(data, "number", 64) or n.required_text(data, "id", 64)
    placed = _gmt(data, "date_created")
    if placed is None:
        raise PayloadError("date_created_gmt is missing.", field="date_created_gmt")
    status = n.text(data, "status", 32) or "pending"
    modified = _gmt(data, "date_modified") or placed
    billing = n.obj(data, "billing")
    shipping = n.obj(data, "shipping")
    codes = n.items(data, "coupon_lines")
    method = next(iter(n.items(data, "shipping_lines")), {})
    country = n.text(shipping, "country", 2, "shipping.") or n.text(billing, "country", 2)
    out = OrderIn(
        number=number,
        platform_id=f"woocommerce:{data.get('id')}"[:64] if data.get("id") else None,
        placed_at=placed,
        currency=n.text(data, "currency", 3),
        discount_amount=n.amount(data, "discount_total"),
        shipping_amount=n.amount(data, "shipping_total"),
        tax_amount=n.amount(data, "total_tax"),
        total=n.amount(data, "total"),
        discount_code=n.text(codes[0], "code", 64, "coupon_lines.") if codes else None,
        discount_codes=n.discount_lines(codes, "coupon_lines.", "discount"),
        shipping_address=n.text(shipping, "address_1", 255, "shipping."),
        shipping_postcode=n.text(shipping, "postcode", 32, "shipping."),
        channel=n.slug(n.text(data, "created_via", 32)),
        delivery_option=n.slug(
            n.text(method, "method_id", 64) or n.text(method, "method_title", 64)
        ),
        shipping_country=country.upper() if country and len(country) == 2 else None,
        note=n.text(data, "customer_note", 4000),
        customer=CustomerIn(
            email=n.email(billing.get("email")),
            first_name=n.text(billing, "first_name", 100, "billing."),
            last_name=n.text(billing, "last_name", 100, "billing."),
            country=country.upper() if country and len(country) == 2 else None,
        ),
        lines=[_line(item, i) for i, item in enumerate(n.items(data, "line_items"))],
        source_updated_at=_gmt(data, "date_modified"),
    )
    if method and "pickup" in (out.delivery_option or ""):
        out.pickup_location = n.text(method, "method_title", 255)
    if status in PAID or status == "refunded":
        out.paid_at = _gmt(data, "date_paid") or modified
    if status == "completed":
        completed = _gmt(data, "date_completed") or modified
        out.shipments = _tracking(data, completed) or [
            ShipmentIn(ref=f"wc:{number}", shipped_at=completed)
        ]
    if status == "cancelled":
        out.cancelled_at = modified
    if status == "refunded":
        out.fully_refunded_at = modified
    return out


def _line(item: Mapping[str, Any], index: int) -> LineIn:
    where = f"line_items[{index}]."
    qty = item.get("quantity", 1)
    if isinstance(qty, bool) or not isinstance(qty, int) or not 0 <= qty <= 10**6:
        raise PayloadError(f"{where}quantity must be a whole number.", field=f"{where}quantity")
    return LineIn(
        name=n.required_text(item, "name", 255, where),
        sku=n.text(item, "sku", 64, where),
        quantity=qty,
        unit_price=n.amount(item, "price", where) or Decimal("0.00"),
    )


def _tracking(data: Mapping[str, Any], at: dt.datetime) -> list[ShipmentIn]:
    out: list[ShipmentIn] = []
    for meta in n.items(data, "meta_data"):
        if meta.get("key") != TRACKING_META or not isinstance(meta.get("value"), list):
            continue
        for item in meta["value"]:
            if not isinstance(item, Mapping):
                continue
            number = n.text(item, "tracking_number", 64, "tracking.")
            ref = n.text(item, "tracking_id", 64, "tracking.") or number
            if ref:
                out.append(
                    ShipmentIn(
                        ref=ref,
                        carrier=n.text(item, "tracking_provider", 64, "tracking.")
                        or n.text(item, "custom_tracking_provider", 64, "tracking."),
                        tracking_number=number,
                        tracking_url=n.text(item, "custom_tracking_link", 500, "tracking."),
                        shipped_at=at,
                    )
                )
    return out
