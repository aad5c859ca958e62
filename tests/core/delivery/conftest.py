"""Shared builders of the delivery tests: options, stores, products, a customer with an order."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from core.auth import Actor, Role
from core.delivery import OptionInput, save_option
from core.delivery.basket import Basket, Line
from core.models import Customer, DeliveryOption, Order, PickupLocation, Product

MERCHANT = Actor("m@example.com", Role.MERCHANT)


def option(session: Session, **kw: Any) -> DeliveryOption:
    base: dict[str, Any] = dict(
        code="standard",
        name="Standard",
        kind="standard",
        price="4.90",
        currency="EUR",
        lead_days_min=1,
        lead_days_max=2,
        cutoff_time="14:00",
    )
    base.update(kw)
    return save_option(session, MERCHANT, OptionInput(**base))


def store(session: Session, **kw: Any) -> PickupLocation:
    base: dict[str, Any] = dict(
        code="ber",
        name="Store Berlin",
        address="Torstraße 1",
        city="Berlin",
        postcode="10119",
        country="DE",
        opening_hours="Mon-Fri 10:00-19:00, Sat 10:00-14:00",
        preparation_hours=2,
    )
    base.update(kw)
    location = PickupLocation(**base)
    session.add(location)
    session.flush()
    return location


def product(
    session: Session, sku: str, grams: int | None = None, tags: tuple[str, ...] = ()
) -> None:
    session.add(Product(sku=sku, name=sku, weight_grams=grams, tags=list(tags)))
    session.flush()


def basket(
    *lines: tuple[str, int, str],
    country: str = "DE",
    postcode: str = "10115",
    currency: str = "EUR",
    email: str | None = None,
) -> Basket:
    return Basket(
        country=country,
        postcode=postcode,
        currency=currency,
        lines=tuple(Line(sku, qty, Decimal(price)) for sku, qty, price in lines)
        or (Line("MUG", 1, Decimal("20")),),
        customer_email=email,
    )


def customer_order(
    session: Session, n: int = 1, option_code: str = "scheduled", locale: str = "de"
) -> Order:
    customer = Customer(
        external_id=f"C{n}", email=f"c{n}@example.com", first_name=f"Kunde{n}", locale=locale
    )
    session.add(customer)
    session.flush()
    placed = dt.datetime(2026, 5, 18, 9, 0, tzinfo=dt.UTC)
    order = Order(
        external_id=f"O{n}",
        number=f"#100{n}",
        customer_id=customer.id,
        placed_at=placed,
        placed_date=placed.date(),
        placed_month="2026-05",
        currency="EUR",
        total=Decimal("40"),
        delivery_option=option_code,
        shipping_country="DE",
    )
    session.add(order)
    session.flush()
    return order
