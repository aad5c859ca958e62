"""Quotes at the shop's checkout: a Shopify CarrierService rate request becomes a basket, the
quote becomes Shopify's ``rates`` (``service_code`` is the option code, so the order's shipping
line maps back to its option; prices in minor units as strings).

Request (documented CarrierService format): ``{"rate": {"origin": {...}, "destination":
{"country", "postal_code", ...}, "items": [{"sku", "quantity", "grams", "price",
"requires_shipping", ...}], "currency", "locale"}}`` with item prices in minor units.

Minor units follow the currency's exponent (ISO 4217 via Babel), both ways: cents for EUR,
whole yen for JPY (``1250`` is 1250 JPY), fils for KWD (``1250`` is 1.250 KWD).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from core.delivery.basket import Basket, parse_basket
from core.errors import ValidationError
from core.money import check_currency, from_minor, to_minor


def _fail(field: str, message: str) -> ValidationError:
    return ValidationError(f"{field}: {message}", field=field)


def basket_from_shopify(data: object) -> Basket:
    """The basket of a CarrierService request; items that need no shipping are left out."""
    rate = data.get("rate") if isinstance(data, Mapping) else None
    if not isinstance(rate, Mapping):
        raise _fail("rate", "the request has no rate object.")
    destination = rate.get("destination")
    if not isinstance(destination, Mapping):
        raise _fail("rate.destination", "is missing.")
    items = rate.get("items")
    if not isinstance(items, list):
        raise _fail("rate.items", "is missing.")
    currency = rate.get("currency")
    if not isinstance(currency, str):
        raise _fail("rate.currency", "is missing.")
    currency = check_currency(currency, field="rate.currency")
    lines = []
    for i, item in enumerate(items):
        if not isinstance(item, Mapping):
            raise _fail(f"rate.items[{i}]", "is not an object.")
        if item.get("requires_shipping") is False:
            continue
        price = item.get("price")
        if isinstance(price, bool) or not isinstance(price, int | str):
            raise _fail(f"rate.items[{i}].price", f"{price!r} is not an amount in minor units.")
        try:
            major = from_minor(Decimal(str(price)), currency)
        except ArithmeticError:
            raise _fail(f"rate.items[{i}].price", f"{price!r} is not an amount.") from None
        lines.append(
            {
                "sku": str(item.get("sku") or item.get("variant_id") or f"item-{i}"),
                "quantity": item.get("quantity"),
                "price": str(major),
                "grams": item.get("grams"),
            }
        )
    return parse_basket(
        {
            "country": destination.get("country"),
            "postcode": destination.get("postal_code") or "",
            "currency": currency,
            "customer_email": destination.get("email") or None,
            "city": destination.get("city") or "",
            "lines": lines,
        }
    )


def _shopify_date(day: str, tz: ZoneInfo) -> str:
    moment = dt.datetime.combine(dt.date.fromisoformat(day), dt.time(0), tzinfo=tz)
    return moment.strftime("%Y-%m-%d %H:%M:%S %z")


def _description(option: Mapping[str, Any]) -> str:
    promise = option["promise"]
    when = promise["earliest"]
    if promise["latest"] != when:
        when = f"{when} – {promise['latest']}"
    if option["kind"] == "pickup":
        stores = option.get("pickup", {}).get("locations", [])
        where = f" at {stores[0]['name']}" if stores else ""
        return f"Collect{where} from {when}"
    if option["kind"] == "scheduled":
        return f"Choose your time slot after ordering ({when})"
    return f"Delivered {when}"


def shopify_rates(quoted: Mapping[str, Any], tz: ZoneInfo) -> dict[str, Any]:
    """Shopify's answer for a quote, cheapest first; delivery dates start at midnight in the
    option's ``time_zone`` (the destination's), else in ``tz``."""
    rates = []
    for option in quoted["options"]:
        zone = ZoneInfo(option["time_zone"]) if option.get("time_zone") else tz
        minor = to_minor(Decimal(option["price"]), option["currency"])
        rates.append(
            {
                "service_name": option["name"],
                "service_code": option["code"],
                "total_price": str(minor),
                "currency": option["currency"],
                "description": _description(option),
                "min_delivery_date": _shopify_date(option["promise"]["earliest"], zone),
                "max_delivery_date": _shopify_date(option["promise"]["latest"], zone),
            }
        )
    return {"rates": rates}
