"""The basket a quote is asked for: parsed from JSON (CLI, API) or built from a Shopify
CarrierService request; every error names the field and what to write."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from core.errors import ValidationError
from core.money import check_currency

_COUNTRY = re.compile(r"^[A-Z]{2}$")
MAX_LINES = 500


@dataclass(frozen=True)
class Line:
    sku: str
    quantity: int
    price: Decimal
    """Unit price in major units of the basket currency."""
    grams: int | None = None
    """Unit weight; None means "take it from the product"."""


@dataclass(frozen=True)
class Basket:
    country: str
    postcode: str
    currency: str
    lines: tuple[Line, ...]
    customer_email: str | None = None
    city: str = ""
    """Sorts pickup stores in the same city first when postcodes do not tell them apart."""

    @property
    def total(self) -> Decimal:
        return sum((line.price * line.quantity for line in self.lines), Decimal(0))

    @property
    def item_count(self) -> int:
        return sum(line.quantity for line in self.lines)


def _fail(field: str, message: str, hint: str | None = None) -> ValidationError:
    return ValidationError(f"{field}: {message}", field=field, hint=hint)


def _decimal(value: object, field: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise _fail(field, f"{value!r} is not an amount.", "Write it as a number, e.g. 19.90.")
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise _fail(
            field, f"{value!r} is not an amount.", "Write it as a number, e.g. 19.90."
        ) from None
    if not amount.is_finite() or amount < 0:
        raise _fail(field, f"{value!r} is not an amount of zero or more.")
    return amount


def _whole(value: object, field: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise _fail(field, f"{value!r} is not a whole number of at least {minimum}.")
    return value


def parse_line(raw: object, at: str) -> Line:
    if not isinstance(raw, Mapping):
        raise _fail(at, "is not an object with sku, quantity, price and grams.")
    sku = raw.get("sku")
    if not isinstance(sku, str) or not sku.strip():
        raise _fail(f"{at}.sku", "is missing.", "Give the product's SKU.")
    grams = raw.get("grams")
    return Line(
        sku=sku.strip(),
        quantity=_whole(raw.get("quantity"), f"{at}.quantity", 1),
        price=_decimal(raw.get("price"), f"{at}.price"),
        grams=None if grams is None else _whole(grams, f"{at}.grams", 0),
    )


def parse_basket(data: object) -> Basket:
    """A Basket from ``{"country", "postcode", "currency", "customer_email"?, "city"?,
    "lines": [...]}``
    (prices in major units, weights in grams)."""
    if not isinstance(data, Mapping):
        raise ValidationError("The basket is not a JSON object.", hint="See the quote help.")
    country = str(data.get("country") or "").strip().upper()
    if not _COUNTRY.match(country):
        raise _fail("country", f"{data.get('country')!r} is not a country code.", "Use DE, FR...")
    postcode = data.get("postcode", "")
    if not isinstance(postcode, str | int):
        raise _fail("postcode", "is not text.")
    currency = data.get("currency")
    if not isinstance(currency, str):
        raise _fail("currency", "is missing.", "Give an ISO code such as EUR.")
    lines = data.get("lines")
    if not isinstance(lines, list) or not lines:
        raise _fail("lines", "the basket has no lines.", "Give at least one line.")
    if len(lines) > MAX_LINES:
        raise _fail("lines", f"more than {MAX_LINES} lines.")
    email = data.get("customer_email")
    if email is not None and not isinstance(email, str):
        raise _fail("customer_email", "is not text.")
    city = data.get("city") or ""
    if not isinstance(city, str):
        raise _fail("city", "is not text.")
    return Basket(
        country=country,
        postcode=str(postcode).strip().upper(),
        currency=check_currency(currency, field="currency"),
        lines=tuple(parse_line(raw, f"lines[{i}]") for i, raw in enumerate(lines)),
        customer_email=(email or "").strip().lower() or None,
        city=city.strip()[:100],
    )


def basket_json(basket: Basket) -> dict[str, Any]:
    return {
        "country": basket.country,
        "postcode": basket.postcode,
        "currency": basket.currency,
        "customer_email": basket.customer_email,
        "city": basket.city,
        "lines": [
            {"sku": x.sku, "quantity": x.quantity, "price": str(x.price), "grams": x.grams}
            for x in basket.lines
        ],
    }
