"""Shop fixtures for the engine tests: customers, orders, events applied the way every source
applies them (``core.orderstate.apply_event``), library templates, a controllable clock and SMTP."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from core import orderstate
from core.auth import Actor
from core.engine import lifecycle
from core.engine.clock import ManualClock
from core.engine.schema import WorkflowDefinition
from core.models import Customer, Message, Order, OrderLine, Workflow
from tests.smtp_server import LocalSmtp, smtp_server, smtp_server_factory  # noqa: F401

START = dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.UTC)  # a Monday, 10:00 in Berlin
CLI = Actor.cli()
_ids = itertools.count(1)


@dataclass
class Shop:
    engine: Engine
    clock: ManualClock
    customers: dict[str, Customer] = field(default_factory=dict)

    def session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    def customer(
        self,
        name: str,
        *,
        consent: bool = True,
        country: str = "DE",
        locale: str = "de",
        tz: str | None = "Europe/Berlin",
        email: str | None = "",
        demo: bool = False,
        tags: list[str] | None = None,
    ) -> Customer:
        with self.session() as s:
            c = Customer(
                external_id=f"C-{name}-{next(_ids)}",
                email=f"{name}@example.com" if email == "" else email,
                first_name=name.title(),
                country=country,
                locale=locale,
                time_zone=tz,
                marketing_consent=consent,
                tags=tags or [],
                is_demo=demo,
            )
            s.add(c)
            s.commit()
        self.customers[name] = c
        return c

    def order(
        self,
        customer: Customer,
        *,
        at: dt.datetime | None = None,
        total: str = "80",
        currency: str = "EUR",
        country: str | None = None,
        event: str | None = "placed",
        promised: dt.datetime | None = None,
        delivery_option: str = "standard",
        skus: tuple[str, ...] = ("SKU-1",),
        **extra: Any,
    ) -> Order:
        at = at or self.clock.now
        with self.session() as s:
            o = Order(
                external_id=f"O-{next(_ids)}",
                number=f"#{next(_ids)}",
                customer_id=customer.id,
                placed_at=at,
                placed_date=at.date(),
                placed_month=at.strftime("%Y-%m"),
                currency=currency,
                total=Decimal(total),
                subtotal=Decimal(total),
                shipping_country=country or customer.country,
                delivery_option=delivery_option,
                promised_delivery_at=promised,
                **extra,
            )
            o.lines = [
                OrderLine(
                    line_no=i + 1,
                    sku=sku,
                    name=f"Item {sku}",
                    quantity=1,
                    unit_price=Decimal(total),
                )
                for i, sku in enumerate(skus)
            ]
            s.add(o)
            s.commit()
        if event:
            self.event(o, event, at)
        return o

    def event(
        self,
        order: Order,
        kind: str,
        at: dt.datetime | None = None,
        source: str = "import",
        payload: dict[str, Any] | None = None,
    ) -> None:
        with self.session() as s:
            stored = s.get_one(Order, order.id)
            moment = at or self.clock.now
            orderstate.apply_event(s, stored, kind, moment, source=source, payload=payload)
            s.commit()

    def workflow(self, definition: WorkflowDefinition, activate: bool = True) -> Workflow:
        with self.session() as s:
            wf = lifecycle.create(s, CLI, definition)
            if activate:
                lifecycle.activate(s, CLI, wf.id, now=self.clock.now)
            s.commit()
            return wf

    def messages(self, **where: Any) -> list[Message]:
        with self.session() as s:
            stmt = select(Message).order_by(Message.id)
            for key, value in where.items():
                stmt = stmt.where(getattr(Message, key) == value)
            return list(s.scalars(stmt))


def install_templates(
    engine: Engine, names: tuple[str, ...], locales: tuple[str, ...] = ("en", "de")
) -> None:
    from core.messaging.library import install

    with Session(engine) as s:
        for name in names:
            install(s, CLI, name, locales)
        s.commit()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def shop(engine: Engine, clock: ManualClock) -> Iterator[Shop]:
    install_templates(
        engine,
        (
            "order_confirmation",
            "review_request",
            "review_reminder",
            "thank_you_coupon",
            "win_back",
            "shipped",
            "out_for_delivery",
        ),
    )
    yield Shop(engine, clock)


@pytest.fixture
def sqlite_shop(sqlite_engine: Engine, clock: ManualClock) -> Iterator[Shop]:
    install_templates(sqlite_engine, ("order_confirmation", "review_request", "win_back"))
    yield Shop(sqlite_engine, clock)
