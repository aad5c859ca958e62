"""The normalized shape every live source is mapped to before it touches the database.

A full order (``placed_at`` set) creates or updates the order; a partial one (a fulfillment, a
refund: ``placed_at`` None) only updates an order that exists. Platform mappers raise
:class:`PayloadError` naming the field when a payload lacks what is needed.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from core.errors import ValidationError
from core.timeutil import parse_timestamp

UTC = ZoneInfo("UTC")

MAX_AMOUNT = Decimal("999999999999.99")
_SLUG = re.compile(r"[^a-z0-9]+")


class PayloadError(ValidationError):
    """A delivery's body lacks a field or holds a value that cannot be read."""


@dataclass
class CustomerIn:
    email: str | None
    first_name: str | None = None
    last_name: str | None = None
    locale: str | None = None
    country: str | None = None
    consent: bool | None = None
    consent_at: dt.datetime | None = None


@dataclass
class LineIn:
    name: str
    sku: str | None
    quantity: int
    unit_price: Decimal


@dataclass
class ShipmentIn:
    """One parcel; ``ref`` (the platform's fulfillment id, else the tracking number) finds it
    again when its status changes."""

    ref: str
    carrier: str | None = None
    tracking_number: str | None = None
    tracking_url: str | None = None
    shipped_at: dt.datetime | None = None
    out_for_delivery_at: dt.datetime | None = None
    delivered_at: dt.datetime | None = None
    ready_for_pickup_at: dt.datetime | None = None
    picked_up_at: dt.datetime | None = None
    failed_at: dt.datetime | None = None


@dataclass
class RefundIn:
    """One refund; ``amount`` None means "whatever is left" (a full refund), zero means no
    money was refunded (restock only, pending): nothing to record. ``exact`` refuses an amount
    larger than what is left instead of capping it (the event API)."""

    ref: str
    at: dt.datetime
    amount: Decimal | None
    exact: bool = False


@dataclass
class OrderIn:
    number: str
    platform_id: str | None = None
    placed_at: dt.datetime | None = None
    currency: str | None = None
    subtotal: Decimal | None = None
    discount_amount: Decimal | None = None
    shipping_amount: Decimal | None = None
    tax_amount: Decimal | None = None
    total: Decimal | None = None
    paid_at: dt.datetime | None = None
    cancelled_at: dt.datetime | None = None
    discount_code: str | None = None
    discount_codes: list[tuple[str, Decimal | None]] = field(default_factory=list)
    """Every code the order used with the amount it took off (Shopify ``discount_codes``,
    WooCommerce ``coupon_lines``): matched with coupons and referral codes when stored."""
    channel: str | None = None
    delivery_option: str | None = None
    pickup_location: str | None = None
    shipping_country: str | None = None
    shipping_address: str | None = None
    shipping_postcode: str | None = None
    note: str | None = None
    customer: CustomerIn | None = None
    lines: list[LineIn] | None = None
    shipments: list[ShipmentIn] = field(default_factory=list)
    refunds: list[RefundIn] = field(default_factory=list)
    fully_refunded_at: dt.datetime | None = None
    source_updated_at: dt.datetime | None = None


def text(data: Mapping[str, Any], key: str, limit: int, where: str = "") -> str | None:
    value = data.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise PayloadError(f"{where}{key} must be text.", field=f"{where}{key}")
    out = str(value).strip()
    if "\x00" in out:
        raise PayloadError(f"{where}{key} holds a NUL character.", field=f"{where}{key}")
    return out[:limit] or None


def required_text(data: Mapping[str, Any], key: str, limit: int, where: str = "") -> str:
    value = text(data, key, limit, where)
    if value is None:
        raise PayloadError(f"{where}{key} is missing.", field=f"{where}{key}")
    return value


def amount(data: Mapping[str, Any], key: str, where: str = "") -> Decimal | None:
    value = data.get(key)
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise PayloadError(f"{where}{key} is not an amount: {value!r}.", field=key) from None
    if not number.is_finite() or abs(number) > MAX_AMOUNT:
        raise PayloadError(f"{where}{key} is out of range: {value!r}.", field=f"{where}{key}")
    return number.quantize(Decimal("0.01"))


def moment(data: Mapping[str, Any], key: str, where: str = "") -> dt.datetime | None:
    value = data.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise PayloadError(f"{where}{key} must be an ISO timestamp.", field=f"{where}{key}")
    try:
        return parse_timestamp(value, UTC)
    except (ValueError, OverflowError):
        raise PayloadError(
            f"{where}{key} is not a timestamp: {value!r}.", field=f"{where}{key}"
        ) from None


def email(value: object) -> str | None:
    if not isinstance(value, str) or "@" not in value:
        return None
    out = value.strip().lower()
    return out if 3 <= len(out) <= 254 and "\x00" not in out else None


def slug(value: str | None, limit: int = 32) -> str | None:
    if not value:
        return None
    out = _SLUG.sub("_", value.lower()).strip("_")[:limit]
    return out or None


def obj(data: Mapping[str, Any], key: str, where: str = "") -> Mapping[str, Any]:
    value = data.get(key)
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise PayloadError(f"{where}{key} must be an object.", field=f"{where}{key}")
    return value


def items(data: Mapping[str, Any], key: str, where: str = "") -> list[Mapping[str, Any]]:
    value = data.get(key)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
        raise PayloadError(f"{where}{key} must be a list of objects.", field=f"{where}{key}")
    return value


def strings(data: Mapping[str, Any], key: str, limit: int, where: str = "") -> list[str]:
    """A list of texts (numbers taken as text); a single text is a list of one."""
    value = data.get(key)
    if value is None or value == "":
        return []
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list) or not all(
        isinstance(v, str | int) and not isinstance(v, bool) for v in values
    ):
        raise PayloadError(f"{where}{key} must be a list of texts.", field=f"{where}{key}")
    out = [str(v).strip()[:limit] for v in values]
    if any("\x00" in v for v in out):
        raise PayloadError(f"{where}{key} holds a NUL character.", field=f"{where}{key}")
    return [v for v in out if v]


def discount_lines(
    items: list[Mapping[str, Any]], where: str, amount_key: str
) -> list[tuple[str, Decimal | None]]:
    """(code, amount) of every discount line that has a code."""
    out = []
    for item in items:
        code = text(item, "code", 64, where)
        if code:
            out.append((code, amount(item, amount_key, where)))
    return out
