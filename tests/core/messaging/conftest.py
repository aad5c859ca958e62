"""A small demo-like shop for the messaging tests, inserted row by row: customers in every
library locale, orders with lines, shipments, pickups, promised windows, coupons, referrals."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from core.auth import Actor
from core.models import (
    Coupon,
    Customer,
    DeliveryOption,
    Order,
    OrderLine,
    PickupLocation,
    Product,
    ReferralCode,
    Shipment,
)
from core.settings import update_settings

LOCALES = ["en_IE", "de_DE", "fr_FR", "nl_NL", "es_ES", "it_IT", "pl_PL", "sv_SE"]
CURRENCY = {"pl_PL": "PLN", "sv_SE": "SEK"}
BASE = dt.datetime(2025, 3, 10, 9, 30, tzinfo=dt.UTC)


@dataclass
class Shop:
    customers: dict[str, Customer] = field(default_factory=dict)
    orders: dict[str, Order] = field(default_factory=dict)
    coupon: str = "THANKS-7F3K"
    referral: str = "ANNA-K2P9"


def add_customer(session: Session, key: str, locale: str, **kw: object) -> Customer:
    values: dict[str, object] = {
        "external_id": f"C-{key}",
        "email": f"{key.lower()}@example.org",
        "first_name": "Anna",
        "last_name": "Schmidt",
        "country": locale.split("_")[1],
        "locale": locale,
        "marketing_consent": True,
        "is_demo": False,
    }
    values.update(kw)
    customer = Customer(**values)
    session.add(customer)
    session.flush()
    return customer


def add_order(
    session: Session,
    customer: Customer,
    number: str,
    *,
    currency: str = "EUR",
    lines: tuple[tuple[str, str, int, str], ...] = (("TS-42", "Trail shoe", 1, "1234.56"),),
    **kw: object,
) -> Order:
    total = sum((Decimal(price) * qty for _, _, qty, price in lines), Decimal(0))
    order = Order(
        external_id=f"O-{number}",
        number=number,
        customer_id=customer.id,
        placed_at=BASE,
        placed_date=BASE.date(),
        placed_month=BASE.strftime("%Y-%m"),
        currency=currency,
        subtotal=total,
        shipping_amount=Decimal("4.90"),
        total=total + Decimal("4.90"),
        **kw,
    )
    for i, (sku, name, qty, price) in enumerate(lines, start=1):
        order.lines.append(
            OrderLine(line_no=i, sku=sku, name=name, quantity=qty, unit_price=Decimal(price))
        )
    session.add(order)
    session.flush()
    return order


def build_shop(session: Session) -> Shop:
    update_settings(
        session,
        Actor.cli(),
        {
            "name": "Alpen Outfitters",
            "public_base_url": "https://shop.example",
            "sender_email": "hello@shop.example",
        },
    )
    session.add_all(
        [
            DeliveryOption(code="standard", name="Standard", kind="standard", currency="EUR"),
            DeliveryOption(code="express", name="Express", kind="express", currency="EUR"),
            DeliveryOption(
                code="click_collect", name="Click & Collect", kind="pickup", currency="EUR"
            ),
            Product(
                sku="TS-42",
                name="Trail shoe",
                price=Decimal("1234.56"),
                currency="EUR",
                image_url="https://img.example/ts.png",
                category="Shoes",
            ),
            Product(
                sku="WS-1",
                name="Wool socks",
                price=Decimal("12.00"),
                currency="EUR",
                image_url="javascript:alert(1)",
                category="Socks",
            ),
            Product(
                sku="CAP-1", name="Cap", price=Decimal("19.90"), currency="EUR", category="Hats"
            ),
        ]
    )
    store = PickupLocation(
        code="BER",
        name="Berlin Mitte",
        address="Torstraße 1",
        city="Berlin",
        postcode="10119",
        country="DE",
        opening_hours="Mo-Sa 10:00-19:00",
    )
    session.add(store)
    session.flush()
    shop = Shop()
    for i, locale in enumerate(LOCALES):
        customer = add_customer(session, f"cust{i}", locale)
        shop.customers[locale] = customer
        currency = CURRENCY.get(locale, "EUR")
        order = add_order(
            session,
            customer,
            f"10{i}0",
            currency=currency,
            delivery_option="express",
            promised_delivery_start=BASE + dt.timedelta(days=2),
            promised_delivery_at=BASE + dt.timedelta(days=4),
            lines=(("TS-42", "Trail shoe", 1, "1234.56"), ("WS-1", "Wool socks", 2, "12.00")),
        )
        order.shipments.append(
            Shipment(
                carrier="DHL",
                tracking_number=f"0034{i}",
                tracking_url="https://track.example/1",
                shipped_at=BASE + dt.timedelta(days=1),
                out_for_delivery_at=BASE + dt.timedelta(days=2),
                delivered_at=BASE + dt.timedelta(days=3),
            )
        )
        pickup = add_order(
            session,
            customer,
            f"10{i}1",
            currency=currency,
            delivery_option="click_collect",
            pickup_location_id=store.id,
            lines=(("CAP-1", "Cap", 1, "19.90"),),
        )
        pickup.shipments.append(
            Shipment(
                ready_for_pickup_at=BASE + dt.timedelta(days=1),
                picked_up_at=BASE + dt.timedelta(days=2),
            )
        )
        cancelled = add_order(
            session,
            customer,
            f"10{i}2",
            currency=currency,
            status="cancelled",
            cancelled_at=BASE + dt.timedelta(hours=2),
            refunded_at=BASE + dt.timedelta(hours=3),
            lines=(("CAP-1", "Cap", 1, "19.90"),),
        )
        cancelled.refunded_amount = cancelled.total
        shop.orders[locale] = order
        shop.orders[locale + ":pickup"] = pickup
        shop.orders[locale + ":cancelled"] = cancelled
    anna = shop.customers["de_DE"]
    session.add(
        Coupon(
            code=shop.coupon,
            customer_id=anna.id,
            kind="percent",
            value=Decimal("10"),
            issued_at=BASE,
            expires_at=BASE + dt.timedelta(days=30),
        )
    )
    session.add(
        ReferralCode(
            code=shop.referral,
            customer_id=anna.id,
            reward_value=Decimal("10"),
            reward_currency="EUR",
        )
    )
    session.flush()
    return shop


@pytest.fixture
def shop(session: Session) -> Shop:
    shop = build_shop(session)
    session.commit()
    return shop
