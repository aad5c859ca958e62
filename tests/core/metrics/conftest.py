"""A small hand-computed shop (store currency EUR, Europe/Berlin; 1 PLN = 0.25 EUR,
1 SEK = 0.10 EUR), inserted row by row. Expected values in the tests are worked out by hand
from the table below.

| order | customer | placed (UTC)       | local date | amount   | EUR | notes                                  |
| 1     | A (DE)   | 2024-01-10 10:00   | 01-10      | 100 EUR  | 100 | discount 10, standard, on time (exact) |
| 2     | A        | 2024-01-31 23:30   | 02-01      | 50 EUR   | 50  | express, late                          |
| 9     | A        | 2024-02-01 15:00   | 02-01      | 20 EUR   | 20  | express, two shipments, late           |
| 3     | B (PL)   | 2024-01-15 09:00   | 01-15      | 400 PLN  | 100 | pickup, refund 200 PLN on 01-31 23:30Z |
| 4     | B        | 2024-03-02 12:00   | 03-02      | 200 PLN  | 50  | standard, delivered without promise    |
| 5     | C (SE)   | 2024-02-10 12:00   | 02-10      | 1000 SEK | -   | cancelled                              |
| 6     | C        | 2024-02-11 12:00   | 02-11      | 500 SEK  | 50  | mobile, no delivery option             |
| 7     | D (DE)   | 2024-01-20 12:00   | 01-20      | 80 EUR   | -   | test order                             |
| 8     | D        | 2024-02-20 12:00   | 02-20      | 30 EUR   | 30  | standard, shipped not delivered        |
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from core import settings as store_settings
from core.auth import Actor
from core.models import Customer, Order, Review, Shipment
from core.timeutil import local_date, local_month, zone

TZ = zone("Europe/Berlin")


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


@dataclass
class Shop:
    engine: Engine
    ids: dict[str, int]


def add_customer(s: Session, key: str, country: str) -> Customer:
    c = Customer(external_id=key, email=f"{key.lower()}@example.com", country=country, tags=[])
    s.add(c)
    s.flush()
    return c


def add_order(
    s: Session,
    ref: str,
    customer: Customer,
    at: dt.datetime,
    total: str,
    currency: str = "EUR",
    **kw: Any,
) -> Order:
    order = Order(
        external_id=ref,
        customer_id=customer.id,
        placed_at=at,
        placed_date=local_date(at, TZ),
        placed_month=local_month(at, TZ),
        currency=currency,
        total=Decimal(total),
        channel=kw.pop("channel", "web"),
        status=kw.pop("status", "paid"),
        **kw,
    )
    s.add(order)
    s.flush()
    return order


def add_review(
    s: Session,
    order: Order,
    rating: int,
    nps: int | None,
    at: dt.datetime,
    comment: str | None = None,
) -> None:
    s.add(
        Review(
            order_id=order.id,
            customer_id=order.customer_id,
            rating=rating,
            nps=nps,
            comment=comment,
            submitted_at=at,
            submitted_date=local_date(at, TZ),
        )
    )


def configure(s: Session) -> None:
    store_settings.update_settings(
        s,
        Actor.cli(),
        {"currency": "EUR", "timezone": "Europe/Berlin", "exchange_rates": "PLN=0.25,SEK=0.10"},
    )


def build(engine: Engine) -> Shop:
    with Session(engine, expire_on_commit=False) as s:
        configure(s)
        a, b = add_customer(s, "A", "DE"), add_customer(s, "B", "PL")
        c, d = add_customer(s, "C", "SE"), add_customer(s, "D", "DE")
        o1 = add_order(
            s,
            "1",
            a,
            utc(2024, 1, 10, 10),
            "100",
            discount_amount=Decimal("10"),
            delivery_option="standard",
            promised_delivery_at=utc(2024, 1, 13, 12),
        )
        o2 = add_order(
            s,
            "2",
            a,
            utc(2024, 1, 31, 23, 30),
            "50",
            delivery_option="express",
            promised_delivery_at=utc(2024, 2, 2, 12),
        )
        o9 = add_order(
            s,
            "9",
            a,
            utc(2024, 2, 1, 15),
            "20",
            delivery_option="express",
            promised_delivery_at=utc(2024, 2, 3, 12),
        )
        o3 = add_order(
            s,
            "3",
            b,
            utc(2024, 1, 15, 9),
            "400",
            "PLN",
            delivery_option="pickup",
            promised_delivery_at=utc(2024, 1, 16, 12),
            refunded_amount=Decimal("200"),
            refunded_at=utc(2024, 1, 31, 23, 30),
        )
        o4 = add_order(s, "4", b, utc(2024, 3, 2, 12), "200", "PLN", delivery_option="standard")
        add_order(
            s,
            "5",
            c,
            utc(2024, 2, 10, 12),
            "1000",
            "SEK",
            status="cancelled",
            cancelled_at=utc(2024, 2, 10, 13),
        )
        o6 = add_order(s, "6", c, utc(2024, 2, 11, 12), "500", "SEK", channel="mobile")
        o7 = add_order(
            s, "7", d, utc(2024, 1, 20, 12), "80", is_test=True, delivery_option="standard"
        )
        o8 = add_order(
            s,
            "8",
            d,
            utc(2024, 2, 20, 12),
            "30",
            delivery_option="standard",
            promised_delivery_at=utc(2024, 2, 23, 12),
        )
        s.add_all(
            [
                Shipment(order_id=o1.id, delivered_at=utc(2024, 1, 13, 12)),
                Shipment(order_id=o2.id, delivered_at=utc(2024, 2, 3, 10)),
                Shipment(order_id=o9.id, delivered_at=utc(2024, 2, 3, 8)),
                Shipment(order_id=o9.id, delivered_at=utc(2024, 2, 4, 8)),
                Shipment(
                    order_id=o3.id,
                    ready_for_pickup_at=utc(2024, 1, 16, 9),
                    picked_up_at=utc(2024, 1, 17, 9),
                ),
                Shipment(order_id=o4.id, delivered_at=utc(2024, 3, 4, 12)),
                Shipment(order_id=o7.id, delivered_at=utc(2024, 1, 22, 12)),
                Shipment(order_id=o8.id, shipped_at=utc(2024, 2, 21, 12)),
            ]
        )
        add_review(s, o1, 5, 10, utc(2024, 1, 20, 12), "Great, on time")
        add_review(s, o2, 2, 3, utc(2024, 2, 10, 12), "Late again")
        add_review(s, o3, 4, 8, utc(2024, 1, 25, 12))
        add_review(s, o6, 3, None, utc(2024, 2, 20, 12), "  ")
        add_review(s, o7, 1, 0, utc(2024, 1, 25, 12), "test order")
        s.commit()
        ids = {"A": a.id, "B": b.id, "C": c.id, "D": d.id}
        ids |= {f"o{o.external_id}": o.id for o in (o1, o2, o3, o4, o6, o7, o8, o9)}
    return Shop(engine, ids)


@pytest.fixture
def shop(engine: Engine) -> Iterator[Shop]:
    yield build(engine)
