"""A small shop for the builder's core tests: customers, orders and their events written the way
importers write them (``core.events.record``), and the review-request definition of issue 5."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from core import events
from core.auth import Actor
from core.engine.schema import Step, Trigger, WorkflowDefinition, all_of, any_of, rule
from core.models import Customer, Order

CLI = Actor.cli()
DAY = dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.UTC)
_ids = itertools.count(1)


def review_request(holdout: int = 10) -> WorkflowDefinition:
    """Ask for a review 7 days after delivery, orders of 50 EUR or more delivered to DE or AT,
    not if refunded, 10% holdout."""
    return WorkflowDefinition(
        name="Review request (builder)",
        triggers=[Trigger(type="delivered")],
        entry=all_of(
            rule("order.total", "ge", {"amount": "50", "currency": "EUR"}),
            any_of(rule("order.country", "in", ["DE", "AT"])),
        ),
        exit=rule("order.refunded", "eq", True),
        start="wait_1",
        steps=[
            Step(id="wait_1", type="wait", params={"days": 7}, next="send_email_1"),
            Step(id="send_email_1", type="send_email", params={"template": "review_request"}),
        ],
        holdout_pct=holdout,
    )


@dataclass
class Shop:
    engine: Engine

    def session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    def customer(self, name: str, country: str = "DE", consent: bool = True) -> Customer:
        with self.session() as s:
            c = Customer(
                external_id=f"C-{name}-{next(_ids)}",
                email=f"{name}@example.com",
                first_name=name.title(),
                country=country,
                locale="de",
                marketing_consent=consent,
                tags=[],
            )
            s.add(c)
            s.commit()
        return c

    def order(
        self,
        customer: Customer,
        total: str = "80",
        country: str | None = None,
        at: dt.datetime = DAY,
        delivered: dt.datetime | None = None,
        **extra: object,
    ) -> Order:
        with self.session() as s:
            o = Order(
                external_id=f"O-{next(_ids)}",
                number=f"#{next(_ids)}",
                customer_id=customer.id,
                placed_at=at,
                placed_date=at.date(),
                placed_month=at.strftime("%Y-%m"),
                currency="EUR",
                total=Decimal(total),
                subtotal=Decimal(total),
                shipping_country=country or customer.country,
                **extra,
            )
            s.add(o)
            s.commit()
        self.event(o, "placed", at)
        if delivered:
            self.event(o, "delivered", delivered)
        return o

    def event(self, order: Order, kind: str, at: dt.datetime) -> None:
        with self.session() as s:
            events.record(s, [events.event_row(order.id, order.customer_id, kind, at, "import")])
            s.commit()


@pytest.fixture
def shop(engine: Engine) -> Iterator[Shop]:
    yield Shop(engine)


@pytest.fixture
def sqlite_shop(sqlite_engine: Engine) -> Iterator[Shop]:
    yield Shop(sqlite_engine)
