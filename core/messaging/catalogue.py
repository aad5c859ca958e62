"""The documented variable catalogue: every name a message template may use.

Paths are dotted; ``[]`` marks the element of a list (``order.items[].name`` is ``item.name``
inside ``{% for item in order.items %}``). A template that names anything else is refused when it
is saved. :mod:`core.messaging.context` fills these values from a customer and an order.

Filters: ``money`` and ``date`` (also ``datetime``, ``time``) format for the customer's locale;
``default('...')`` gives a fallback when a value is missing or empty.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class Variable:
    path: str
    description: str
    example: str = ""


VARIABLES: tuple[Variable, ...] = (
    Variable("locale", "the message's locale", "de_DE"),
    Variable("store.name", "the store's name", "Alpen Outfitters"),
    Variable("store.email", "the store's sender address", "hello@shop.example"),
    Variable("customer.first_name", "first name", "Anna"),
    Variable("customer.last_name", "last name", "Schmidt"),
    Variable("customer.full_name", "first and last name", "Anna Schmidt"),
    Variable("customer.email", "email address", "anna@example.org"),
    Variable("customer.country", "country code", "DE"),
    Variable("customer.order_count", "orders placed so far", "2"),
    Variable("order.number", "the order's number as the shop shows it", "1042"),
    Variable("order.date", "when the order was placed (use |date)", "12 Mar 2025"),
    Variable("order.status", "open, paid, fulfilled, delivered, cancelled or refunded", "paid"),
    Variable("order.currency", "currency code", "EUR"),
    Variable("order.items", "the order's lines (loop over them)", ""),
    Variable("order.items[].name", "product name", "Trail shoe"),
    Variable("order.items[].sku", "product SKU", "TS-42"),
    Variable("order.items[].quantity", "quantity", "1"),
    Variable("order.items[].unit_price", "price of one unit (money)", "89,00 €"),
    Variable("order.items[].total", "quantity x unit price (money)", "89,00 €"),
    Variable("order.items[].image_url", "product image, when the catalogue has one", ""),
    Variable("order.items[].category", "product category", "Shoes"),
    Variable("order.item_count", "number of units ordered", "3"),
    Variable("order.subtotal", "sum of the lines (money)", "89,00 €"),
    Variable("order.discount", "discount (money)", "0,00 €"),
    Variable("order.discount_code", "discount code used", "SPRING10"),
    Variable("order.shipping", "shipping cost (money)", "4,90 €"),
    Variable("order.tax", "tax (money)", "14,21 €"),
    Variable("order.total", "amount paid (money)", "93,90 €"),
    Variable("order.refunded", "refunded so far, all refunds together (money)", "20,00 €"),
    Variable("order.cancelled_on", "when the order was cancelled (date)", "13 Mar 2025"),
    Variable("delivery.option", "delivery option name", "Express"),
    Variable("delivery.option_code", "delivery option code", "express"),
    Variable("delivery.kind", "standard, express, pickup or scheduled", "express"),
    Variable("delivery.is_pickup", "true for click-and-collect", "false"),
    Variable("delivery.promised_start", "start of the promised window (date)", ""),
    Variable("delivery.promised_by", "promised delivery date (date)", "14 Mar 2025"),
    Variable("delivery.promised_window", "the promised window as text", "12–14 March 2025"),
    Variable("delivery.carrier", "carrier", "DHL"),
    Variable("delivery.tracking_number", "tracking number", "00340434"),
    Variable("delivery.tracking_url", "tracking page (http/https only)", ""),
    Variable("delivery.shipped_at", "when it was shipped (date)", ""),
    Variable("delivery.delivered_at", "when it was delivered (date)", ""),
    Variable("delivery.ready_at", "when it became ready for pickup (date)", ""),
    Variable("delivery.pickup.name", "pickup store name", "Berlin Mitte"),
    Variable("delivery.pickup.address", "pickup street address", "Torstraße 1"),
    Variable("delivery.pickup.postcode", "pickup postcode", "10119"),
    Variable("delivery.pickup.city", "pickup city", "Berlin"),
    Variable("delivery.pickup.country", "pickup country code", "DE"),
    Variable("delivery.pickup.full_address", "address, postcode and city on one line", ""),
    Variable("delivery.pickup.opening_hours", "opening hours", "Mo-Sa 10:00-19:00"),
    Variable("links.review", "signed link to the review page", ""),
    Variable("links.review_stars", "five signed links, one per star rating", ""),
    Variable("links.review_stars[].rating", "the star rating of this link (1-5)", "5"),
    Variable("links.review_stars[].url", "the link", ""),
    Variable("links.referral", "the customer's referral link", ""),
    Variable(
        "links.delivery",
        "signed link to choose a time slot or switch to pickup, while the order allows a change",
        "",
    ),
    Variable("links.unsubscribe", "signed one-click unsubscribe link", ""),
    Variable("links.preferences", "signed link to the email preferences page", ""),
    Variable("coupon.code", "coupon code issued to the customer", "THANKS-7F3K"),
    Variable("coupon.value", "what the coupon is worth, formatted", "10 %"),
    Variable("coupon.expires", "coupon expiry (date)", ""),
    Variable("referral.code", "the customer's referral code", "ANNA-K2P9"),
    Variable("referral.url", "link friends use", ""),
    Variable("referral.reward", "what the friend gets, formatted", "10,00 €"),
    Variable("recommendations", "products often bought with theirs (loop over them)", ""),
    Variable("recommendations[].name", "product name", "Wool socks"),
    Variable("recommendations[].sku", "product SKU", "WS-1"),
    Variable("recommendations[].image_url", "product image", ""),
    Variable("recommendations[].price", "price (money)", "12,00 €"),
    Variable("recommendations[].category", "product category", "Socks"),
)

VALUE_ATTRIBUTES = {"amount", "currency"}
"""Attributes of a money value (``order.total.amount``) a template may read."""


@lru_cache(maxsize=1)
def paths() -> frozenset[str]:
    """Every known path, with the parents of nested ones (``delivery.pickup``)."""
    known: set[str] = set()
    for var in VARIABLES:
        parts = var.path.split(".")
        for i in range(1, len(parts) + 1):
            known.add(".".join(parts[:i]))
    return frozenset(known)


@lru_cache(maxsize=1)
def roots() -> frozenset[str]:
    return frozenset(p.split(".")[0].removesuffix("[]") for p in paths())


def is_known(path: str) -> bool:
    return path in paths()


def suggest(path: str) -> str | None:
    """The closest known path, for a "did you mean" hint."""
    from difflib import get_close_matches

    found = get_close_matches(path, sorted(paths()), n=1, cutoff=0.6)
    return found[0] if found else None


def describe() -> list[dict[str, str]]:
    """The catalogue as rows (path, description, example) for the page and the docs."""
    return [
        {"variable": v.path, "description": v.description, "example": v.example} for v in VARIABLES
    ]
