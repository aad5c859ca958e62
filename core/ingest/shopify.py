"""Shopify webhook payloads (REST Admin API JSON, as Shopify documents them) -> ``OrderIn``.

Order topics carry the whole order; ``fulfillments/*`` carry one fulfillment whose ``name``
(``#1001.1``) names the order; ``refunds/create`` carries ``order_id`` only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from core.ingest import normal as n
from core.ingest.normal import CustomerIn, LineIn, OrderIn, PayloadError, RefundIn, ShipmentIn

ORDER_TOPICS = (
    "orders/create",
    "orders/paid",
    "orders/updated",
    "orders/cancelled",
    "orders/fulfilled",
)
FULFILLMENT_TOPICS = ("fulfillments/create", "fulfillments/update")
TOPICS = (*ORDER_TOPICS, *FULFILLMENT_TOPICS, "refunds/create")
PICKUP_SOURCES = ("shopify_pickup", "pickup", "local_pickup")


def handled(topic: str) -> bool:
    return topic in TOPICS


def parse(topic: str, data: Mapping[str, Any]) -> OrderIn:
    if topic in ORDER_TOPICS:
        return order(data, topic)
    if topic in FULFILLMENT_TOPICS:
        return fulfillment(data)
    return refund(data)


def _platform_id(value: object) -> str | None:
    if value is None or isinstance(value, bool) or not isinstance(value, int | str):
        return None
    return f"shopify:{value}"[:64]


def order(data: Mapping[str, Any], topic: str = "orders/create") -> OrderIn:
    name = n.required_text(data, "name", 64)
    placed = n.moment(data, "created_at") or n.moment(data, "processed_at")
    if placed is None:
        raise PayloadError("created_at is missing.", field="created_at")
    updated = n.moment(data, "updated_at")
    shipping_line = next(iter(n.items(data, "shipping_lines")), {})
    address = n.obj(data, "shipping_address") or n.obj(data, "billing_address")
    codes = n.items(data, "discount_codes")
    shipping = n.obj(n.obj(data, "total_shipping_price_set"), "shop_money")
    financial = n.text(data, "financial_status", 32)
    out = OrderIn(
        number=name,
        platform_id=_platform_id(data.get("id")),
        placed_at=placed,
        currency=n.text(data, "currency", 3),
        subtotal=n.amount(data, "subtotal_price"),
        discount_amount=n.amount(data, "total_discounts"),
        shipping_amount=n.amount(shipping, "amount", "total_shipping_price_set."),
        tax_amount=n.amount(data, "total_tax"),
        total=n.amount(data, "total_price"),
        discount_code=n.text(codes[0], "code", 64, "discount_codes.") if codes else None,
        discount_codes=n.discount_lines(codes, "discount_codes.", "amount"),
        channel=n.slug(n.text(data, "source_name", 64)),
        shipping_country=_country(address),
        shipping_address=n.text(address, "address1", 255, "shipping_address."),
        shipping_postcode=n.text(address, "zip", 32, "shipping_address."),
        note=n.text(data, "note", 4000),
        customer=_customer(data),
        lines=[_line(item, i) for i, item in enumerate(n.items(data, "line_items"))],
        source_updated_at=updated,
    )
    _shipping_choice(out, shipping_line)
    if financial in ("paid", "partially_refunded", "refunded") or topic == "orders/paid":
        out.paid_at = n.moment(data, "processed_at") or updated or placed
    out.cancelled_at = n.moment(data, "cancelled_at")
    out.shipments = [_shipment(f) for f in n.items(data, "fulfillments")]
    out.refunds = [_refund(r) for r in n.items(data, "refunds")]
    if financial == "refunded" and not out.refunds:
        out.fully_refunded_at = updated or placed
    return out


def _country(address: Mapping[str, Any]) -> str | None:
    code = n.text(address, "country_code", 2)
    return code.upper() if code and len(code) == 2 else None


def _shipping_choice(out: OrderIn, line: Mapping[str, Any]) -> None:
    title = n.text(line, "title", 255, "shipping_lines.")
    code = n.text(line, "code", 255, "shipping_lines.")
    out.delivery_option = n.slug(code or title)
    source = (n.text(line, "source", 64, "shipping_lines.") or "").lower()
    if source in PICKUP_SOURCES or "pickup" in (out.delivery_option or ""):
        out.pickup_location = title or code


def _customer(data: Mapping[str, Any]) -> CustomerIn:
    person = n.obj(data, "customer")
    address = n.obj(data, "billing_address") or n.obj(data, "shipping_address")
    out = CustomerIn(
        email=n.email(data.get("email")) or n.email(person.get("email")),
        first_name=n.text(person, "first_name", 100, "customer.")
        or n.text(address, "first_name", 100),
        last_name=n.text(person, "last_name", 100, "customer.")
        or n.text(address, "last_name", 100),
        locale=_locale(n.text(data, "customer_locale", 10)),
        country=_country(address),
    )
    consent = n.obj(person, "email_marketing_consent", "customer.")
    if consent:
        state = n.text(consent, "state", 32, "customer.email_marketing_consent.")
        if state in ("subscribed", "not_subscribed", "unsubscribed", "redacted"):
            out.consent = state == "subscribed"
            out.consent_at = n.moment(
                consent, "consent_updated_at", "customer.email_marketing_consent."
            )
    elif isinstance(person.get("accepts_marketing"), bool):
        out.consent = bool(person["accepts_marketing"])
        out.consent_at = n.moment(person, "accepts_marketing_updated_at", "customer.")
    return out


def _locale(value: str | None) -> str | None:
    return value.replace("_", "-")[:10] if value else None


def _line(item: Mapping[str, Any], index: int) -> LineIn:
    where = f"line_items[{index}]."
    qty = item.get("quantity", 1)
    if isinstance(qty, bool) or not isinstance(qty, int) or not 0 <= qty <= 10**6:
        raise PayloadError(f"{where}quantity must be a whole number.", field=f"{where}quantity")
    return LineIn(
        name=n.text(item, "name", 255, where) or n.required_text(item, "title", 255, where),
        sku=n.text(item, "sku", 64, where),
        quantity=qty,
        unit_price=n.amount(item, "price", where) or Decimal("0.00"),
    )


STATUS_FIELDS = {
    "out_for_delivery": "out_for_delivery_at",
    "ready_for_pickup": "ready_for_pickup_at",
    "delivered": "delivered_at",
    "picked_up": "picked_up_at",
    "failure": "failed_at",
}


def _shipment(f: Mapping[str, Any]) -> ShipmentIn:
    numbers = n.strings(f, "tracking_numbers", 64, "fulfillment.")
    urls = n.strings(f, "tracking_urls", 500, "fulfillment.")
    number = n.text(f, "tracking_number", 64, "fulfillment.") or next(iter(numbers), None)
    url = n.text(f, "tracking_url", 500, "fulfillment.") or next(iter(urls), None)
    ref = n.text(f, "id", 64, "fulfillment.") or number
    if ref is None:
        raise PayloadError("The fulfillment has neither an id nor a tracking number.", field="id")
    created = n.moment(f, "created_at", "fulfillment.")
    updated = n.moment(f, "updated_at", "fulfillment.") or created
    out = ShipmentIn(
        ref=ref,
        carrier=n.text(f, "tracking_company", 64, "fulfillment."),
        tracking_number=number,
        tracking_url=url,
    )
    status = n.text(f, "status", 32, "fulfillment.")
    if status in (None, "success", "open", "pending"):
        out.shipped_at = created or dt.datetime.now(dt.UTC)
    shipment_status = n.text(f, "shipment_status", 32, "fulfillment.")
    target = STATUS_FIELDS.get(shipment_status or "")
    if target is not None:
        setattr(out, target, updated or dt.datetime.now(dt.UTC))
    return out


def fulfillment(data: Mapping[str, Any]) -> OrderIn:
    name = n.text(data, "name", 64)
    order_id = _platform_id(data.get("order_id"))
    if not name and not order_id:
        raise PayloadError("The fulfillment names no order (name, order_id).", field="name")
    number = name.rsplit(".", 1)[0] if name and "." in name else (name or "")
    return OrderIn(number=number, platform_id=order_id, shipments=[_shipment(data)])


def _refund(r: Mapping[str, Any]) -> RefundIn:
    ref = n.required_text(r, "id", 64, "refund.")
    at = n.moment(r, "processed_at", "refund.") or n.moment(r, "created_at", "refund.")
    if at is None:
        raise PayloadError("refund.created_at is missing.", field="refund.created_at")
    total = sum(
        (n.amount(t, "amount", "refund.transactions.") or 0)
        for t in n.items(r, "transactions", "refund.")
        if t.get("kind") == "refund" and t.get("status", "success") == "success"
    )
    if not total:
        total = sum(
            (n.amount(item, "subtotal", "refund.refund_line_items.") or 0)
            for item in n.items(r, "refund_line_items", "refund.")
        )
    return RefundIn(ref=ref, at=at, amount=Decimal(total).quantize(Decimal("0.01")))


def refund(data: Mapping[str, Any]) -> OrderIn:
    order_id = _platform_id(data.get("order_id"))
    if order_id is None:
        raise PayloadError("order_id is missing.", field="order_id")
    return OrderIn(number="", platform_id=order_id, refunds=[_refund(data)])
